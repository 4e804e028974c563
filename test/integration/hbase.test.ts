// HBase tables in the same restore point as HDFS directories, against the real sandbox: snapshots
// taken together in one shell session, ExportSnapshot to west (files it already has are skipped),
// SnapshotInfo on both sides; a region split between backups; restores beside the live data and in
// place; a missing table; a failing export.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  backup,
  bytes,
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  restorePoints,
  runId,
  snapshottable,
  tmpDir,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
const rows = (table: string, from: number, to: number) =>
  Array.from(
    { length: to - from },
    (_, i) => `put '${table}', 'row${String(from + i).padStart(5, '0')}', 'f:c', '${'v'.repeat(200)}${from + i}'`,
  ).join('\n');
const count = async (site: typeof east, table: string) => {
  const out = String((await hbaseShell(site, `count '${table}'\n`)).stdout);
  return Number(/^(\d+) row\(s\)/m.exec(out)?.[1]);
};
const snapshotsOn = async (site: typeof east) => (await webhdfs(site).listStatus('/hbase/.hbase-snapshot')).map((s) => s.pathSuffix);

describe('HBase tables in a restore point', () => {
  const [t1, t2] = [`ev_${id}`, `ns_${id}:orders`];
  let policy: string;

  beforeAll(async () => {
    await ensureSandboxUp();
    await snapshottable(`/it/hb-${id}/raw`, { 'a.txt': bytes(3_000) });
    await snapshottable(`/it/hb-${id}/wh`, { 'b.txt': bytes(2_000, 3) });
    await hbaseShell(
      east,
      `create '${t1}', 'f'\ncreate_namespace 'ns_${id}'\ncreate '${t2}', 'f', {SPLITS => ['row00100', 'row00200', 'row00300']}\n${rows(t1, 0, 300)}\n${rows(t2, 0, 400)}\nflush '${t1}'\nflush '${t2}'\n`,
    );
    policy = writePolicy({
      service: `hb-${id}`,
      datasets: [{ hdfs: `/it/hb-${id}/raw` }, { hdfs: `/it/hb-${id}/wh` }, { hbase: t1 }, { hbase: t2, target: `ns_${id}:orders_copy` }],
      copy: { mappers: 2 },
      retention: { primary: 1, secondary: 2 },
    });
  });

  it('backs up directories and tables at one moment, then exports only the new files', async () => {
    const first = await backup(policy);
    expect(first.r.exitCode, first.stderr).toBe(0);
    const r1 = first.report!;
    expect(r1.datasets.map((d: any) => [d.type, d.source, d.mode])).toEqual([
      ['hdfs', `/it/hb-${id}/raw`, 'full'],
      ['hdfs', `/it/hb-${id}/wh`, 'full'],
      ['hbase', `default:${t1}`, 'full'],
      ['hbase', t2, 'full'],
    ]);
    const snap1 = `${r1.restorePoint}.ns_${id}.orders`;
    // Each snapshot's request and completion; the window runs from the first request to the last completion.
    const times = r1.datasets.flatMap((d: any) => [Date.parse(d.snapshotRequestedAt), Date.parse(d.snapshotCompletedAt)]);
    expect(Math.max(...times) - Math.min(...times)).toBe(r1.consistencyWindowMs);
    expect(await snapshotsOn(west)).toContain(snap1);
    const t2Bytes = r1.datasets[3].verified.bytes as number;
    expect(r1.datasets[3].bytesCopied).toBe(t2Bytes);
    expect(r1.datasets[3].verified.files).toBeGreaterThanOrEqual(4); // one HFile per region at least

    // 1 % more rows in each table, and a region split between the two backups.
    await hbaseShell(east, `${rows(t1, 300, 303)}\n${rows(t2, 400, 404)}\nflush '${t1}'\nflush '${t2}'\nsplit '${t1}', 'row00150'\n`);
    await new Promise((r) => setTimeout(r, 3000));
    await webhdfs(east).createFile(`/it/hb-${id}/raw/c.txt`, bytes(500, 7), true);
    const second = await backup(policy);
    expect(second.r.exitCode, second.stderr).toBe(0);
    const [raw, , e1, e2] = second.report!.datasets;
    expect(raw).toMatchObject({ mode: 'incremental', bytesCopied: 500 });
    expect(e2).toMatchObject({ type: 'hbase', mode: 'incremental' });
    expect(e2.reason).toMatch(/^files exported with hb-.* are skipped$/);
    // Only the new HFile moved; what the secondary had was skipped.
    expect(e2.bytesSkipped).toBe(t2Bytes);
    expect(e2.bytesCopied).toBeLessThan(t2Bytes / 10);
    expect(e1.verified.files).toBeGreaterThan(0);
    // Retention keeps one restore point on the primary: the first snapshots of the tables are gone there, not on the secondary.
    const ofT1 = (names: string[]) => names.filter((n) => n.endsWith(`.default.${t1}`));
    expect(ofT1(await snapshotsOn(east))).toEqual([`${second.report!.restorePoint}.default.${t1}`]);
    expect(ofT1(await snapshotsOn(west)).sort()).toEqual([
      `${r1.restorePoint}.default.${t1}`,
      `${second.report!.restorePoint}.default.${t1}`,
    ]);

    const points = await restorePoints(policy);
    expect(points).toHaveLength(2);
    const entry = points[1] as any;
    expect(entry.datasets.map((d: any) => [d.type, d.snapshot])).toEqual([
      ['hdfs', second.report!.restorePoint],
      ['hdfs', second.report!.restorePoint],
      ['hbase', `${second.report!.restorePoint}.default.${t1}`],
      ['hbase', `${second.report!.restorePoint}.ns_${id}.orders`],
    ]);
    expect(entry.intact).toBe(true);
  });

  it('restores each restore point beside the live data on the secondary, as it was at its moment', async () => {
    const [p1, p2] = await restorePoints(policy);
    for (const [p, suffix, t1Rows, t2Rows, rawFiles] of [
      [p1!, '_r1', 300, 400, ['a.txt']],
      [p2!, '_r2', 303, 404, ['a.txt', 'c.txt']],
    ] as const) {
      const r = await hbackup(['restore', policy, '--point', p.snapshot, '--suffix', suffix, '--json']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const report = jsonLines(String(r.stdout))[0]!;
      expect(report).toMatchObject({ result: 'ok', restorePoint: p.snapshot, site: 'west' });
      expect(report.datasets.every((d: any) => d.verified && !d.inPlace)).toBe(true);
      expect((await tree(west, `/it/hb-${id}/raw${suffix}`)).map((e) => e.rel)).toEqual(rawFiles);
      // (The primary keeps one restore point: the secondary's snapshot, verified equal at backup time, is the reference.)
      expect(await tree(west, `/it/hb-${id}/raw${suffix}`)).toEqual(await tree(west, `/it/hb-${id}/raw/.snapshot/${p.snapshot}`));
      expect([await count(west, `${t1}${suffix}`), await count(west, `ns_${id}:orders_copy${suffix}`)]).toEqual([t1Rows, t2Rows]);
    }
  });

  it('restores in place on the primary what was deleted there, and asks first', async () => {
    await webhdfs(east).delete(`/it/hb-${id}/raw/c.txt`);
    await hbaseShell(east, `deleteall '${t1}', 'row00001'\ndeleteall '${t1}', 'row00302'\ntruncate '${t2}'\n`);
    expect([await count(east, t1), await count(east, t2)]).toEqual([301, 0]);

    const unasked = await hbackup(['restore', policy, '--on', 'primary']);
    expect(unasked.exitCode).toBe(3);
    expect(String(unasked.stderr)).toMatch(/restoring in place replaces live data .*: pass --yes/);
    expect(await count(east, t1)).toBe(301);

    const r = await hbackup(['restore', policy, '--on', 'primary', '--yes', '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = jsonLines(String(r.stdout))[0]!;
    expect(report.datasets.map((d: any) => [d.to, d.inPlace])).toEqual([
      [`east:/it/hb-${id}/raw`, true],
      [`east:/it/hb-${id}/wh`, true],
      [`east:default:${t1}`, true],
      [`east:${t2}`, true],
    ]);
    // The directories were rolled back by snapshot diff, which DistCp did not refuse.
    expect(report.datasets[0].method).toBe('roll back by snapshot diff (distcp -rdiff)');
    expect(String(r.stderr)).not.toContain('refused to roll back');
    expect((await webhdfs(east).readFile(`/it/hb-${id}/raw/c.txt`))?.length).toBe(500);
    expect([await count(east, t1), await count(east, t2)]).toEqual([303, 404]);
  });

  it('refuses a table missing on the primary before anything changes (exit 3)', async () => {
    const p = writePolicy({
      service: `hbmiss-${id}`,
      datasets: [{ hdfs: `/it/hb-${id}/wh`, target: `/it/hbmiss-${id}` }, { hbase: `nope_${id}` }],
    });
    const r = await backup(p);
    expect(r.r.exitCode).toBe(3);
    expect(r.stderr).toContain(`table default:nope_${id} does not exist on east`);
    expect((await webhdfs(east).listSnapshots(`/it/hb-${id}/wh`)).filter((s) => s.startsWith(`hb-hbmiss-`))).toEqual([]);
    const v = await hbackup(['validate', '--online', p]);
    expect(v.exitCode).toBe(3);
    expect(String(v.stderr)).toContain(`table default:nope_${id} does not exist on east`);
  });

  it("pulls a table with the secondary's own ExportSnapshot when the policy says initiator: secondary", async () => {
    const table = `pull_${id}`;
    await hbaseShell(east, `create '${table}', 'f'\n${rows(table, 0, 20)}\n`);
    const p = writePolicy({ service: `hbpull-${id}`, datasets: [{ hbase: table }], copy: { initiator: 'secondary', mappers: 1 } });
    const dry = await hbackup(['backup', p, '--dry-run']);
    expect(String(dry.stdout)).toContain(`${west.binDir}/hbase snapshot export -snapshot hb-hbpull-${id}-`);
    expect(String(dry.stdout)).toContain('-copy-from hdfs://127.0.0.1:');
    const b = await backup(p);
    expect(b.r.exitCode, b.stderr).toBe(0);
    expect(b.report!.datasets[0]).toMatchObject({ type: 'hbase', mode: 'full' });
    expect(b.report!.datasets[0].verified.files).toBeGreaterThan(0);
  });

  it('fails (exit 1) when the export fails, keeps the earlier restore points, and cleans up on the next run', async () => {
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, any> };
    const broken = path.join(tmpDir('hb-broken'), 'clusters.yaml');
    // West's hbase.rootdir on a NameNode that does not answer: ExportSnapshot cannot write there.
    const westBroken = { ...sandbox.clusters.west, hbase: { ...sandbox.clusters.west.hbase, rootdir: 'hdfs://127.0.0.1:29998/hbase' } };
    fs.writeFileSync(broken, stringify({ clusters: { east: sandbox.clusters.east, west: westBroken } }));
    const before = await restorePoints(policy);
    const failed = await backup(policy, '--clusters', broken);
    expect(failed.r.exitCode).toBe(1);
    expect(failed.report).toMatchObject({ result: 'failed', restorePoint: null });
    expect(failed.stderr).toMatch(/hbase snapshot exited with|export of .* failed/);
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual(before.map((p) => p.snapshot));
    const leftover = `${failed.report!.datasets[0] && (await webhdfs(east).listSnapshots(`/it/hb-${id}/raw`)).at(-1)}`;
    expect(leftover).not.toBe(before.at(-1)!.snapshot);

    // What an export killed half-way leaves on the secondary: its manifest under .hbase-snapshot/.tmp.
    const half = `/hbase/.hbase-snapshot/.tmp/hb-hb-${id}-20200101T000000Z.default.${t1}`;
    await webhdfs(west).mkdirs(half);
    const next = await backup(policy);
    expect(next.r.exitCode, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/removed \d+ snapshot\(s\) left by an interrupted run/);
    expect((await snapshotsOn(east)).filter((s) => s.startsWith(leftover))).toEqual([]);
    expect(await webhdfs(east).listSnapshots(`/it/hb-${id}/raw`)).not.toContain(leftover);
    expect(await webhdfs(west).getFileStatus(half)).toBeUndefined();
    // Three restore points made: the secondary keeps two; the oldest went with its table snapshots there.
    const kept = (await restorePoints(policy)).map((p) => p.snapshot);
    expect(kept).toEqual([before.at(-1)!.snapshot, next.report!.restorePoint]);
    const oldest = before[0]!.snapshot;
    expect((await snapshotsOn(west)).filter((s) => s.startsWith(`${oldest}.`))).toEqual([]);
    expect(await webhdfs(west).listSnapshots(`/it/hb-${id}/raw`)).not.toContain(oldest);
  });
});
