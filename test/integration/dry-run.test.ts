// --dry-run against the real sandbox: it reads both sites, prints the plan, and changes nothing;
// the plan lists each change of the real run once, in the order the real run makes them.
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotName } from '../../src/names/names.js';
import {
  backup,
  bytes,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  restorePoints,
  runId,
  snapshottable,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();

describe('hbackup backup --dry-run', () => {
  beforeAll(ensureSandboxUp);

  it('--dry-run checks against the real clusters, prints every call and command, and changes nothing', async () => {
    const root = `/it/dry-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': bytes(1_000) });
    const policy = writePolicy({ service: `dry-${id}`, datasets: [{ hdfs: `${root}/d` }] });
    expect((await backup(policy)).r.exitCode).toBe(0);
    await webhdfs(east).createFile(`${root}/d/g.txt`, bytes(100), true);
    const before = [await webhdfs(east).listSnapshots(`${root}/d`), await restorePoints(policy)];

    const r = await hbackup(['backup', policy, '--dry-run']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const out = String(r.stdout);
    expect(out).toMatch(new RegExp(`PUT http://127\\.0\\.0\\.1:${east.ports.nnHttp}/webhdfs/v1/it/dry-${id}/d\\?op=CREATESNAPSHOT`));
    // The diff, one new file, is written through WebHDFS: each call listed, no DistCp job.
    expect(out).toMatch(
      new RegExp(`PUT http://127\\.0\\.0\\.1:${west.ports.nnHttp}/webhdfs/v1/it/dry-${id}/d/g\\.txt\\?op=CREATE&.*blocksize=`),
    );
    expect(out).toMatch(/g\.txt\?op=SETTIMES&/);
    expect(out).not.toMatch(/ distcp /);
    // With copy.direct off, DistCp applies the diff.
    const off = writePolicy({ service: `dry-${id}`, datasets: [{ hdfs: `${root}/d` }], copy: { direct: 'off' } });
    expect(String((await hbackup(['backup', off, '--dry-run'])).stdout)).toMatch(
      /\/bin\/hadoop distcp '-Dmapreduce\.job\.name=hbackup backup dry-\S+ \S+ west:\S+' -Dmapreduce\.job\.tags=\S+ -update -diff hb-dry-\S+ hb-dry-\S+ -pbcugpaxt -m 8 hdfs:\/\//,
    );
    expect(out).toMatch(/op=RENAME.*destination=%2F\.hbackup%2Fcatalog/);
    expect([await webhdfs(east).listSnapshots(`${root}/d`), await restorePoints(policy)]).toEqual(before);
  });

  it('--dry-run changes nothing on either site, claims nothing happened, and lists each change of the real run once, in its order', async () => {
    const root = `/it/plan-${id}`;
    const service = `plan-${id}`;
    await snapshottable(`${root}/one`, { 'f.txt': bytes(1_000) });
    const first = writePolicy({ service, datasets: [{ hdfs: `${root}/one` }], retention: { primary: 1, secondary: 1 } });
    expect((await backup(first)).r.exitCode).toBe(0);
    // What an interrupted run left on both sides, a change to copy, and a data set new to the service.
    const [e, w] = [webhdfs(east), webhdfs(west)];
    const dead = snapshotName(service, '20200101T000000Z');
    await e.createSnapshot(`${root}/one`, dead);
    await w.createSnapshot(`${root}/one`, dead);
    await e.createFile(`${root}/one/g.txt`, bytes(300, 5), true);
    await snapshottable(`${root}/two`, { 'h.txt': bytes(200, 3) });
    // One copy at a time, so the real run's order is the plan's (side by side, copies interleave).
    const policy = writePolicy({
      service,
      datasets: [{ hdfs: `${root}/one` }, { hdfs: `${root}/two` }],
      copy: { parallel: 1 },
      retention: { primary: 1, secondary: 1 },
    });
    const state = async () => ({
      east: [await e.listSnapshots(`${root}/one`), await e.listSnapshots(`${root}/two`)],
      west: [await w.listSnapshots(`${root}/one`), await w.getFileStatus(`${root}/two`)],
      targetTree: await tree(west, `${root}/one`),
      catalog: (await w.listStatus(`/.hbackup/catalog/${service}`)).map((f) => f.pathSuffix),
      claims: (await w.listStatus(`/.hbackup/targets/${service}`)).map((f) => f.pathSuffix),
    });
    const before = await state();

    const dry = await hbackup(['backup', policy, '--dry-run', '--json']);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(await state()).toEqual(before);
    const report = jsonLines(String(dry.stdout))[0]!;
    expect(report).toMatchObject({ result: 'planned', restorePoint: null, dryRun: true, consistencyWindowMs: null });
    expect(report.datasets.map((d: Record<string, unknown>) => [d.mode, 'bytesCopied' in d])).toEqual([
      ['incremental', false],
      ['full', false],
    ]);
    expect(String(dry.stderr)).not.toMatch(/removed|verified|copied|recorded|snapshot\(s\) hb-/);
    const planned: string[] = report.planned.map((p: { change: string }) => p.change);
    expect(new Set(planned).size).toBe(planned.length);
    expect(planned.filter((p) => p.includes(`snapshotname=${dead}`))).toHaveLength(2); // once per side

    const real = await hbackup(['backup', policy, '--json', '--verbose']);
    expect(real.exitCode, String(real.stderr)).toBe(0);
    const made = String(real.stderr)
      .split('\n')
      .map((l) => l.replace(/^\S+ /, ''))
      .filter((l) => /^(PUT|POST|DELETE) /.test(l) || l.startsWith('run: '))
      .map((l) => l.replace(/^run: /, ''));
    // (The run's moment also appears in lower case, in the DistCp job's tags.)
    const stampless = (lines: string[]) => lines.map((l) => l.replace(/\d{8}T\d{6}Z/gi, 'STAMP'));
    expect(stampless(made)).toEqual(stampless(planned));
  });
});
