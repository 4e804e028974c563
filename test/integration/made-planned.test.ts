// The dry run of each flow that changes clusters is what its real run sends, against the sandbox, for a
// service of a directory and a table: backup, restore beside the live data, a planned failover (an
// emergency one and the failback after it: failover-crash.test.ts). Observed as sent (--verbose: each WebHDFS call that
// changes something, each command with what its standard input received — for tables, the line the
// HBase session got); steps planned only when they run are replaced by what the run listed there.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/identity/identity.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import {
  backup,
  bytes,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  putTree,
  runId,
  snapshottable,
  tmpDir,
  tool,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';
import { alike, expected, type Shown, sent } from './plans.js';

const id = runId();
const raw = `/it/mp-${id}/raw`;
const empty = `/it/mp-${id}/empty`;
const table = `mp_${id}:t`;
const policies = tmpDir('mp-policies');
let policy = '';

/** The snapshots of a moment are fired at once, kind beside kind: within one run of them, their order is no order. */
const MOMENT = /op=CREATESNAPSHOT&.*snapshotname=hb-mp-\S+-STAMP$|<<< hbackup_fire\(/;
function moments(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i;
    while (j < lines.length && MOMENT.test(lines[j]!)) j++;
    if (j > i) out.push(...lines.slice(i, j).sort());
    else out.push(lines[j++]!);
    i = j;
  }
  return out;
}

const pair = (...args: string[]) => hbackup([...args, '--policies', policies]);
const roleOf = async (site: typeof east) => (await readIdentity(webhdfs(site)))!.role;

describe('made equals planned, against the sandbox', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    const init = await hbackup(['init']);
    if (init.exitCode !== 0) expect((await hbackup(['init', '--force'])).exitCode).toBe(0);
    await snapshottable(raw, { 'a.bin': bytes(50_000), 'sub/b.txt': 'b' });
    // An empty directory too: DistCp never makes the target of an empty listing, the restore must.
    await snapshottable(empty, {});
    await hbaseShell(east, `create_namespace 'mp_${id}'\ncreate '${table}', 'f'\nput '${table}', 'r1', 'f:c', 'v1'\n`);
    policy = writePolicy({
      service: `mp-${id}`,
      datasets: [{ hdfs: raw }, { hdfs: empty }, { hbase: table }],
      copy: { mappers: 2, parallel: 1 },
    });
    fs.copyFileSync(policy, path.join(policies, path.basename(policy)));
    expect((await backup(policy)).report).toMatchObject({ result: 'ok' });
  });

  afterAll(async () => {
    // As the other files expect the sandbox: both sites up, east the primary, out of safe mode.
    for (const site of [east, west]) await tool(site, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    const health = JSON.parse(String((await hbackup(['--json', 'status'])).stdout));
    for (const s of health.sites.filter((x: any) => x.level !== 'OK' && !x.stale)) {
      await stopSite(s.site);
      await startSite(s.site);
    }
    if ((await roleOf(east)) !== 'primary' || (await roleOf(west)) !== 'secondary') await hbackup(['init', '--force']);
  });

  it('backup and restore: the dry run is the run, tables included', async () => {
    await putTree(east, raw, { 'c.bin': bytes(20_000, 3) });
    await hbaseShell(east, `put '${table}', 'r2', 'f:c', 'v2'\n`);
    const dry = await backup(policy, '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned' });
    const real = await backup(policy, '--verbose');
    expect(real.report, real.stderr).toMatchObject({ result: 'ok' });
    const made = moments(sent(real.stderr));
    expect(made).toEqual(moments(dry.report!.planned.map((p: Shown) => alike(p.change))));
    // The table's snapshot is the one line its session received.
    expect(made.filter((c) => c.includes('hbackup_fire('))).toEqual([
      expect.stringMatching(/hbase shell -n <<< hbackup_fire\(\[\['.*:t', 'hb-mp-\S+'\]\]\)$/),
    ]);

    const dryRestore = await hbackup(['restore', policy, '--suffix', '_mp', '--json', '--dry-run']);
    const planned = jsonLines(String(dryRestore.stdout))[0]!;
    expect(planned, String(dryRestore.stderr)).toMatchObject({ result: 'planned' });
    const restored = await hbackup(['restore', policy, '--suffix', '_mp', '--json', '--verbose']);
    expect(jsonLines(String(restored.stdout))[0], String(restored.stderr)).toMatchObject({ result: 'ok' });
    expect(moments(sent(String(restored.stderr)))).toEqual(moments(planned.planned.map((p: Shown) => alike(p.change))));
    expect(await tree(east, raw)).toEqual(await tree(west, `${raw}_mp`));
    expect(await webhdfs(west).listStatus(`${empty}_mp`)).toEqual([]);
  });

  it('failover, planned: the dry run is the run, what it plans as it runs listed as made; and back', async () => {
    const dry = await pair('--json', 'failover', '--dry-run');
    const plan = jsonLines(String(dry.stdout))[0]!;
    expect(plan, String(dry.stderr)).toMatchObject({ result: 'planned', mode: 'planned', to: 'west' });
    const real = await pair('--json', '--verbose', 'failover', '--yes');
    const report = jsonLines(String(real.stdout))[0]!;
    expect(report, String(real.stderr)).toMatchObject({ result: 'ok', mode: 'planned', to: 'west' });
    expect(moments(sent(String(real.stderr)))).toEqual(moments(expected(plan.planned, report.made)));
    // The table came up on west from the restore point the last backup made (clone_snapshot, one session).
    expect(report.made.filter((m: Shown) => m.step.endsWith('in place on west') && m.change.includes('clone_snapshot'))).toHaveLength(1);
    // East the primary again, as the other files expect the sandbox.
    const back = await pair('--json', 'failover', '--yes');
    expect(jsonLines(String(back.stdout))[0], String(back.stderr)).toMatchObject({ result: 'ok', to: 'east' });
  });
});
