// failover and failback against the real sandbox: a planned switchover and back; the primary killed
// in the middle of a backup, then an emergency promotion; the old primary back, written to, stale,
// failed back with its lost writes kept; two failovers at once; and an old primary that still
// answers, put in safe mode and brought out of it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/identity/identity.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import { render } from './browser.js';
import {
  backup,
  bytes,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  putTree,
  restorePoints,
  runId,
  type SiteInfo,
  snap,
  snapshottable,
  tmpDir,
  tool,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
const table = `fo_${id}:t`;
const raw = `/it/fo-${id}/raw`;
const copy = `/it/fo-${id}/raw_copy`;
const rows = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `put '${table}', 'r${String(from + i).padStart(5, '0')}', 'f:c', 'v${from + i}'`).join('\n');
const count = async (site: SiteInfo) => Number(/^(\d+) row\(s\)/m.exec(String((await hbaseShell(site, `count '${table}'\n`)).stdout))?.[1]);
const epochOf = async (site: SiteInfo) => (await readIdentity(webhdfs(site)))!;
const roleOf = async (site: SiteInfo) => (await epochOf(site)).role;

describe('failover and failback', () => {
  const policies = tmpDir('fo-policies');
  let policy: string;
  // The race and safe-mode tests are about the sites' identities: a service of one small directory
  // (no table to export and restore) keeps their switchovers short.
  const small = tmpDir('fo-small');
  const pairIn = async (dir: string, args: string[]) => {
    const r = await hbackup([...args, '--policies', dir]);
    return { r, report: jsonLines(String(r.stdout))[0]!, out: `${r.stdout}\n${r.stderr}` };
  };
  const pair = (...args: string[]) => pairIn(policies, args);
  const pairSmall = (...args: string[]) => pairIn(small, args);

  beforeAll(async () => {
    await ensureSandboxUp();
    // The sandbox's identities: east primary (another test file may have written them already).
    const init = await hbackup(['init']);
    if (init.exitCode !== 0) expect((await hbackup(['init', '--force'])).exitCode).toBe(0);
    await snapshottable(raw, { 'a.bin': bytes(200_000), 'sub/b.txt': 'b' });
    await hbaseShell(east, `create_namespace 'fo_${id}'\ncreate '${table}', 'f'\n${rows(0, 50)}\n`);
    policy = writePolicy({ service: `fo-${id}`, datasets: [{ hdfs: raw, target: copy }, { hbase: table }], copy: { mappers: 2 } });
    fs.copyFileSync(policy, path.join(policies, path.basename(policy)));
    await snapshottable(`/it/fo-${id}/small`, { 'one.txt': 'one' });
    const smallPolicy = writePolicy({ service: `fo-small-${id}`, datasets: [{ hdfs: `/it/fo-${id}/small` }] });
    fs.copyFileSync(smallPolicy, path.join(small, path.basename(smallPolicy)));
  });

  afterAll(async () => {
    // Leave the sandbox as the other files expect it: both sites up, east the primary, out of safe mode.
    await ensureSandboxUp();
    await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    // HBase on a site that spent a while in safe mode may have lost its region server: start it afresh then.
    const health = JSON.parse(String((await hbackup(['--json', 'status'])).stdout));
    if (health.sites.some((x: any) => x.level !== 'OK' && !x.stale)) {
      await stopSite('east');
      await startSite('east');
    }
    if ((await roleOf(east)) !== 'primary' || (await roleOf(west)) !== 'secondary') await hbackup(['init', '--force']);
  });

  it('switches over as planned: a last backup, roles swapped, no restore point lost, the next backup goes west → east, and back', async () => {
    expect((await backup(policy)).report).toMatchObject({ result: 'ok' });
    const before = (await restorePoints(policy)).map((p) => p.snapshot);
    await putTree(east, raw, { 'late.txt': 'written just before the switchover' });
    const epoch = (await epochOf(east)).epoch;

    const { r, report, out } = await pair('--json', 'failover', '--yes');
    expect(r.exitCode, out).toBe(0);
    expect(report).toMatchObject({ result: 'ok', mode: 'planned', from: 'east', to: 'west', epoch: epoch + 1 });
    expect(report.endpoint.fsDefaultFS).toBe(west.fsUri);
    expect([await epochOf(east), await epochOf(west)]).toMatchObject([
      { role: 'secondary', epoch: epoch + 1 },
      { role: 'primary', epoch: epoch + 1 },
    ]);
    // Nothing lost: the file written last is on west, the table is up there with every row.
    expect((await tree(west, copy)).map((e) => e.rel)).toContain('late.txt');
    expect(await count(west)).toBe(50);
    const after = (await restorePoints(policy)).map((p) => p.snapshot);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 1);
    expect(String((await hbackup(['endpoint'])).stdout).trim()).toBe(west.fsUri);

    // The next backup copies in the new direction, by snapshot diff: west's copy is now the source.
    await putTree(west, copy, { 'on-west.txt': 'written on the new primary' });
    await hbaseShell(west, `${rows(50, 60)}\n`);
    const next = await backup(policy);
    expect(next.report, next.stderr).toMatchObject({ result: 'ok' });
    expect(next.report!.datasets.map((d: any) => [d.source, d.target, d.mode])).toEqual([
      [copy, raw, 'incremental'],
      [table, table, 'incremental'],
    ]);
    expect(await tree(east, raw)).toEqual(await tree(west, copy));

    const back = await pair('--json', 'failover', '--yes');
    expect(back.report, back.out).toMatchObject({ result: 'ok', mode: 'planned', from: 'west', to: 'east', epoch: epoch + 2 });
    expect(await count(east)).toBe(60);
    expect((await restorePoints(policy)).length).toBeGreaterThanOrEqual(after.length + 1);
  });

  it('promotes the secondary when the primary dies in the middle of a backup: it serves the last complete restore point exactly', async () => {
    const last = await backup(policy);
    expect(last.report).toMatchObject({ result: 'ok' });
    const point = last.report!.restorePoint as string;
    const rowsAtPoint = 60;
    // Enough new data that the next copy is still running when east dies.
    await putTree(east, raw, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`big/${i}.bin`, bytes(8_000_000, i + 2)])));
    await hbaseShell(east, `${rows(60, 80)}\n`);
    const running = hbackup(['backup', policy]);
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      running.stderr!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/… .*raw → west:/.test(seen)) resolve();
      });
      running.then(() => reject(new Error(`the backup ended before its copy began:\n${seen}`)), reject);
    });
    await stopSite('east', { crash: true });
    expect((await running).exitCode).not.toBe(0);

    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report).toMatchObject({ result: 'planned', mode: 'emergency', from: 'east', to: 'west' });
    expect(dry.report.services[0]).toMatchObject({ restorePoint: point });
    expect(dry.report.services[0].rpoSeconds).toBeGreaterThan(0);
    const epoch = (await epochOf(west)).epoch;

    const { r, report, out } = await pair('--json', 'failover', '--yes');
    expect(r.exitCode, out).toBe(0);
    expect(report).toMatchObject({ result: 'ok', mode: 'emergency', epoch: epoch + 1, endpoint: { site: 'west' } });
    // Nothing of the interrupted copy is visible: the directory is the restore point's snapshot, file for file.
    expect(await tree(west, copy)).toEqual(await tree(west, snap(copy, point)));
    expect((await tree(west, copy)).some((e) => e.rel.startsWith('big'))).toBe(false);
    expect(await count(west)).toBe(rowsAtPoint);
    expect(await epochOf(west)).toMatchObject({ role: 'primary', epoch: epoch + 1 });
    expect(String((await hbackup(['endpoint'])).stdout).trim()).toBe(west.fsUri);
  });

  it('keeps a returning old primary stale until failback, which lists its lost writes, keeps them, and switches back', async () => {
    await startSite('east');
    // An application that missed the switch writes to east.
    await putTree(east, raw, { 'missed-the-switch.txt': 'written on the old primary after the failover' });
    // East has just started cold and keeps the machine busy: give each site longer than status's default
    // 5 s to answer, or a late answer from the new primary (its HBase master's JMX) reads as down (CRITICAL).
    const status = await hbackup(['--json', 'status', '--timeout', '30']);
    expect(status.exitCode, `${status.stdout}${status.stderr}`).toBe(1);
    const s = JSON.parse(String(status.stdout));
    expect(s).toMatchObject({ applicationTarget: 'west' });
    expect(s.sites[0]).toMatchObject({ site: 'east', stale: true });
    const refused = await backup(policy);
    expect(refused.r.exitCode).toBe(3);
    expect(refused.stderr).toContain('east is stale');
    expect(refused.stderr).toContain('run hbackup failback');

    await putTree(west, copy, { 'after-failover.txt': 'written on the new primary' });
    const { r, report, out } = await pair('--json', 'failback', '--yes', '--switch');
    expect(r.exitCode, out).toBe(0);
    expect(report).toMatchObject({ result: 'ok', command: 'failback', from: 'east', to: 'west', endpoint: { site: 'east' } });
    const lost = report.services[0].lostWrites.find((l: any) => l.dataset === raw);
    expect(lost.changes).toEqual(expect.arrayContaining(['CREATE missed-the-switch.txt', 'CREATE big']));
    // The 20 rows east took after its last complete restore point: the table is listed as changed.
    expect(report.services[0].lostWrites.find((l: any) => l.dataset === table).changes).toEqual([
      'table changed (its store files differ from the shared restore point)',
    ]);
    // Kept in quarantine, which the next backups' retention leaves alone.
    const quarantine = lost.quarantine.split('/.snapshot/')[1];
    expect(await webhdfs(east).listSnapshots(raw)).toContain(quarantine);
    expect((await tree(east, snap(raw, quarantine))).map((e) => e.rel)).toContain('missed-the-switch.txt');
    // Roles back where they started, data equal on both sides (the lost writes only in quarantine).
    expect([await roleOf(east), await roleOf(west)]).toEqual(['primary', 'secondary']);
    expect(await tree(east, raw)).toEqual(await tree(west, copy));
    expect((await tree(east, raw)).map((e) => e.rel)).toContain('after-failover.txt');
    expect((await tree(east, raw)).map((e) => e.rel)).not.toContain('missed-the-switch.txt');
    expect(await count(east)).toBe(await count(west));
    expect((await backup(policy)).report).toMatchObject({ result: 'ok' });
    expect(await webhdfs(east).listSnapshots(raw)).toContain(quarantine);
  });

  it('lets exactly one of two failovers started at the same moment promote', async () => {
    const epoch = (await epochOf(east)).epoch;
    const [a, b] = await Promise.all([pairSmall('--json', 'failover', '--yes'), pairSmall('--json', 'failover', '--yes')]);
    const results = [a, b].map((x) => x.r.exitCode).sort();
    expect(results, `${a.out}\n${b.out}`).toEqual([0, 75]);
    const loser = [a, b].find((x) => x.r.exitCode === 75)!;
    expect(loser.out).toContain(`is changing its identity to epoch ${epoch + 1}; nothing was changed`);
    expect([await epochOf(east), await epochOf(west)]).toMatchObject([
      { role: 'secondary', epoch: epoch + 1 },
      { role: 'primary', epoch: epoch + 1 },
    ]);
    expect((await pairSmall('--json', 'failover', '--yes')).report).toMatchObject({ result: 'ok', to: 'east', epoch: epoch + 2 });
  });

  it('puts an old primary that still answers into safe mode, and failback brings it out', async () => {
    const { report, out } = await pairSmall('--json', 'failover', '--yes', '--emergency');
    expect(report, out).toMatchObject({ result: 'ok', mode: 'emergency', to: 'west' });
    expect(String((await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'get'])).stdout)).toContain('Safe mode is ON');
    await expect(webhdfs(east).mkdirs(`/it/fo-${id}/refused`)).rejects.toThrow(/safe mode/i);

    const back = await pairSmall('--json', 'failback', '--yes', '--switch');
    expect(back.report, back.out).toMatchObject({ result: 'ok', endpoint: { site: 'east' } });
    expect(String((await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'get'])).stdout)).toContain('Safe mode is OFF');
    expect([await roleOf(east), await roleOf(west)]).toEqual(['primary', 'secondary']);
  });

  it('reports the service for people: restore points, a drill, its failovers with RPO and RTO, rendered by headless Chromium offline', async () => {
    const drilled = await hbackup(['--json', 'drill', policy]);
    expect(drilled.exitCode, String(drilled.stderr)).toBe(0);
    fs.mkdirSync('test-results', { recursive: true });
    const file = path.resolve('test-results', 'dr-report.html');
    const made = await hbackup(['report', '--policies', policies, '-o', file]);
    expect(made.exitCode, String(made.stderr)).toBe(0);
    const page = await render(file, path.resolve('test-results', 'dr-report.png'));
    expect(page.consoleErrors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.text).toContain(`Service fo-${id}`);
    expect(page.charts).toContain(`RPO of fo-${id} over time`);
    const points = page.tables['Restore points']!;
    expect(points.length).toBeGreaterThanOrEqual(4);
    expect(page.tables['Restore drills']![0]!.slice(2, 3)).toEqual(['passed']);
    // Its failovers: planned and emergency, each with the restore point it served, its RPO and its RTO.
    const switches = page.tables['Failovers and failbacks']!;
    expect(switches.map((r) => r[1])).toEqual(expect.arrayContaining(['failover (planned)', 'failover (emergency)']));
    for (const r of switches) {
      expect(r[3]).toMatch(/^hb-fo-/);
      expect(r[4]).toMatch(/^\d+(\.\d)? (s|min|h|d)$/);
      expect(r[5]).toMatch(/^\d+(\.\d)? (s|min|h|d)$/);
    }
    expect(fs.statSync(path.resolve('test-results', 'dr-report.png')).size).toBeGreaterThan(10_000);
  }, 300_000);
});
