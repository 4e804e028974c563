// A failover or failback killed with kill -9 (its whole process group, DistCp included) at the points
// an operator would meet: after the fence hooks, during the last backup, between the two identity
// writes, during the catalog carry; a failback during its roll-back and at its identity. Each time the
// same command run again completes it with no manual step; the sites never both hold primary at one
// epoch; the data ends equal; no claim is left. Once, the operator carries on instead (status, a
// backup) and the next failover is not blocked. And an emergency failover and its failback, each
// sending exactly what its dry run planned.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import {
  bytes,
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  putTree,
  runId,
  type SiteInfo,
  snapshottable,
  tmpDir,
  tool,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';
import { expected, killAt as kill, type Shown, sent } from './plans.js';

const id = runId();
const raw = `/it/crash-fo-${id}/raw`;
const copy = `/it/crash-fo-${id}/copy`;
const dir = tmpDir('crash-fo');
const clusters = path.join(dir, 'clusters.yaml');

/** Every identity each site holds, by epoch. */
async function identities(site: SiteInfo): Promise<Map<number, string>> {
  const h = webhdfs(site);
  const out = new Map<number, string>();
  for (const s of await h.listStatus('/.hbackup/identity')) {
    if (!/^\d{10}\.json$/.test(s.pathSuffix)) continue;
    const r = JSON.parse(String(await h.readFile(`/.hbackup/identity/${s.pathSuffix}`))) as { role: string; epoch: number };
    out.set(r.epoch, r.role);
  }
  return out;
}

/** The sites never both hold primary at one epoch; the newest identity of each. */
async function roles() {
  const [e, w] = [await identities(east), await identities(west)];
  for (const [epoch, role] of e) if (role === 'primary') expect(w.get(epoch), `epoch ${epoch}`).not.toBe('primary');
  const newest = (m: Map<number, string>) => {
    const epoch = Math.max(...m.keys());
    return { role: m.get(epoch), epoch };
  };
  return { east: newest(e), west: newest(w) };
}

const claims = async () =>
  [...(await webhdfs(east).listStatus('/.hbackup/identity')), ...(await webhdfs(west).listStatus('/.hbackup/identity'))].filter((s) =>
    s.pathSuffix.startsWith('_'),
  );

const run = (...args: string[]) => hbackup(['--clusters', clusters, ...args, '--policies', dir]);

/** A failover or failback killed -9 once its output matches `at`: it must get there. */
async function killAt(args: string[], at: RegExp, delayMs = 0): Promise<string> {
  const r = await kill(['--clusters', clusters, ...args, '--policies', dir], at, delayMs);
  if (!r.killed) throw new Error(`the run ended before it reached ${at}:\n${r.seen.slice(-3000)}`);
  return r.seen;
}

/** The primary's directory and the secondary's copy hold the same files (whichever site is which now). */
async function equal() {
  const r = await roles();
  const [p, s] = r.east.role === 'primary' ? [tree(east, raw), tree(west, copy)] : [tree(west, copy), tree(east, raw)];
  expect(await s).toEqual(await p);
}

describe('a failover or failback killed mid-way', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    const init = await hbackup(['init']);
    if (init.exitCode !== 0) expect((await hbackup(['init', '--force'])).exitCode).toBe(0);
    // The sandbox's clusters, with a fence hook on each (the kill after it is one of the points).
    const c = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, unknown>> };
    for (const name of ['east', 'west']) c.clusters[name]!.hooks = { fence: [['true']] };
    fs.writeFileSync(clusters, stringify(c));
    await snapshottable(raw, { 'a.bin': bytes(100_000), 'sub/b.txt': 'b' });
    // DistCp copies every diff (direct: off): a last backup is cut inside its job.
    const policy = writePolicy({
      service: `crash-fo-${id}`,
      datasets: [{ hdfs: raw, target: copy }],
      copy: { mappers: 1, direct: 'off' },
    });
    fs.copyFileSync(policy, path.join(dir, path.basename(policy)));
    const first = await hbackup(['--clusters', clusters, 'backup', path.join(dir, path.basename(policy)), '--json']);
    expect(jsonLines(String(first.stdout))[0], String(first.stderr)).toMatchObject({ result: 'ok' });
  });

  afterAll(async () => {
    // As the other files expect the sandbox: both sites up, east the primary, out of safe mode.
    await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    await tool(west, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    const health = JSON.parse(String((await hbackup(['--json', 'status'])).stdout));
    for (const s of health.sites.filter((x: any) => x.level !== 'OK' && !x.stale)) {
      await stopSite(s.site);
      await startSite(s.site);
    }
    const r = await roles();
    if (r.east.role !== 'primary' || r.west.role !== 'secondary') await hbackup(['init', '--force']);
  });

  it('a planned switchover killed after the fence hooks, then between the identities, then during the catalog: run again, it completes', async () => {
    const start = await roles();
    expect(start.east.role).toBe('primary');
    // East → west, killed right after the fence hooks (before anything is switched).
    await killAt(['failover', '--yes'], /ok fence east/);
    expect(await roles()).toEqual(start);
    const again = await run('--json', 'failover', '--yes');
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(jsonLines(String(again.stdout))[0]).toMatchObject({ result: 'ok', from: 'east', to: 'west', resumed: expect.any(String) });
    const one = start.east.epoch + 1;
    expect(await roles()).toEqual({ east: { role: 'secondary', epoch: one }, west: { role: 'primary', epoch: one } });
    expect(await claims()).toEqual([]);
    await equal();

    // West → east, killed between the two identity writes: east holds primary, west still its old one.
    await killAt(['failover', '--yes'], /… identity: west secondary at epoch/);
    const two = one + 1;
    expect((await roles()).east).toEqual({ role: 'primary', epoch: two });
    // An operator who carries on is told what is left, and by which command.
    const policy = fs.readdirSync(dir).find((f) => f.endsWith('.yaml') && f !== 'clusters.yaml')!;
    const b = await hbackup(['--clusters', clusters, 'backup', path.join(dir, policy)]);
    expect(b.exitCode).toBe(3);
    expect(String(b.stderr)).toMatch(
      /a failover west → east \(planned\) to epoch \d+, begun by pid \d+ .*did not finish.*run hbackup failover again to finish it/,
    );
    const finish = await run('--json', 'failover', '--yes');
    expect(finish.exitCode, String(finish.stderr)).toBe(0);
    expect(jsonLines(String(finish.stdout))[0]).toMatchObject({ result: 'ok', from: 'west', to: 'east', epoch: two });
    expect(await roles()).toEqual({ east: { role: 'primary', epoch: two }, west: { role: 'secondary', epoch: two } });
    expect(await claims()).toEqual([]);
    await equal();

    // East → west again, killed during the catalog carry.
    await killAt(['failover', '--yes'], /… \S+: catalog → east/);
    const carried = await run('--json', 'failover', '--yes');
    expect(carried.exitCode, String(carried.stderr)).toBe(0);
    expect(await roles()).toEqual({ east: { role: 'secondary', epoch: two + 1 }, west: { role: 'primary', epoch: two + 1 } });
    expect(await claims()).toEqual([]);
    await equal();
    // The catalog followed: the restore points west holds are east's to restore from (incremental next time).
    const next = await hbackup(['--clusters', clusters, 'backup', path.join(dir, policy), '--json']);
    expect(jsonLines(String(next.stdout))[0], String(next.stderr)).toMatchObject({ result: 'ok', datasets: [{ mode: 'unchanged' }] });
  });

  it('a switchover killed during its last backup: the operator carries on, and the next failover is not blocked', async () => {
    const before = await roles();
    expect(before.west.role).toBe('primary');
    await putTree(west, copy, { 'late.bin': bytes(3_000_000, 5) });
    await killAt(['failover', '--yes'], /Number of paths in the copy list|mapreduce\.Job: Running job/, 500);
    expect(await roles()).toEqual(before);
    // status says what the dead run left and what hbackup does with it; backups go on.
    const status = JSON.parse(String((await hbackup(['--clusters', clusters, '--json', 'status'])).stdout));
    expect(status.problems.map((p: any) => p.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/did not finish \(that run is gone\): the next hbackup failover carries it on/)]),
    );
    const policy = fs.readdirSync(dir).find((f) => f.endsWith('.yaml') && f !== 'clusters.yaml')!;
    const b = await hbackup(['--clusters', clusters, 'backup', path.join(dir, policy), '--json']);
    expect(jsonLines(String(b.stdout))[0], String(b.stderr)).toMatchObject({ result: 'ok' });
    const later = await run('--json', 'failover', '--yes');
    expect(later.exitCode, String(later.stderr)).toBe(0);
    expect(await roles()).toEqual({
      east: { role: 'primary', epoch: before.west.epoch + 1 },
      west: { role: 'secondary', epoch: before.west.epoch + 1 },
    });
    expect(await claims()).toEqual([]);
    await equal();
  });

  it('a failback killed during its roll-back, then at its identity: run again, it completes with one quarantine', async () => {
    // Written on east after the last restore point, then east is treated as failed: west is promoted.
    await putTree(east, raw, { 'lost.txt': 'written after the last restore point' });
    const emergency = await run('--json', 'failover', '--yes', '--emergency');
    expect(jsonLines(String(emergency.stdout))[0], String(emergency.stderr)).toMatchObject({ result: 'ok', mode: 'emergency', to: 'west' });
    expect((await roles()).east.role).toBe('primary'); // stale: a lower epoch than west's
    await killAt(['failback', '--yes'], /… \S+: roll back to /, 1000);
    const quarantine = (await webhdfs(east).listSnapshots(raw)).filter((n) => n.startsWith('hbackup-quarantine-'));
    expect(quarantine).toHaveLength(1);
    await killAt(['failback', '--yes'], /… identity: east secondary at epoch/);
    const done = await run('--json', 'failback', '--yes');
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(jsonLines(String(done.stdout))[0]).toMatchObject({ result: 'ok', resumed: expect.stringMatching(/^a failback of east/) });
    const r = await roles();
    expect(r).toEqual({ east: { role: 'secondary', epoch: r.west.epoch }, west: { role: 'primary', epoch: r.west.epoch } });
    expect((await webhdfs(east).listSnapshots(raw)).filter((n) => n.startsWith('hbackup-quarantine-'))).toEqual(quarantine);
    expect(String(await webhdfs(east).readFile(`${raw}/.snapshot/${quarantine[0]}/lost.txt`))).toBe('written after the last restore point');
    expect(await claims()).toEqual([]);
    await equal();
  });

  it('an emergency failover and the failback after it: each dry run is what its run sends', async () => {
    const r0 = await roles();
    const [to, from] = r0.east.role === 'primary' ? ['west', 'east'] : ['east', 'west'];
    const dry = jsonLines(String((await run('--json', 'failover', '--dry-run', '--emergency')).stdout))[0]!;
    expect(dry).toMatchObject({ result: 'planned', mode: 'emergency', to });
    const real = await run('--json', '--verbose', 'failover', '--yes', '--emergency');
    const promoted = jsonLines(String(real.stdout))[0]!;
    expect(promoted, String(real.stderr)).toMatchObject({ result: 'ok', mode: 'emergency', to });
    expect(sent(String(real.stderr))).toEqual(expected(dry.planned, promoted.made));

    const dryBack = jsonLines(String((await run('--json', 'failback', '--dry-run')).stdout))[0]!;
    expect(dryBack).toMatchObject({ result: 'planned', from, to });
    const back = await run('--json', '--verbose', 'failback', '--yes');
    const made = jsonLines(String(back.stdout))[0]!;
    expect(made, String(back.stderr)).toMatchObject({ result: 'ok', from, to });
    // The copy forward is a backup planned as it runs (its own dry run is its run: made-planned.test.ts):
    // what was sent is the plan, with that backup's calls where the plan says it runs.
    const at = dryBack.planned.findIndex((p: Shown) => p.step.includes('copy forward') && p.change.startsWith('(planned when it runs'));
    const before = expected(dryBack.planned.slice(0, at), made.made);
    const after = expected(dryBack.planned.slice(at + 1), made.made);
    const got = sent(String(back.stderr));
    expect(got.slice(0, before.length)).toEqual(before);
    expect(got.slice(got.length - after.length)).toEqual(after);
    expect(await claims()).toEqual([]);
    await equal();
  });
});
