// Hive tables in the restore point, through each site's real HiveServer2 (4.0.1, its metastore on
// Derby, its warehouse on the site's HDFS) and the site's real Beeline, as the sandbox's clusters
// file names them (`hive.jdbcUrl`, `tools.beeline`). One service: an external partitioned table and
// a second table (`database.*`), both over a directory that is an HDFS data set of the policy, and an HBase table.
// The secondary's metastore is made to hold the tables as at the moment, every location on the
// secondary; a later backup follows partitions added and dropped, a column added and rows
// appended; a backup with nothing changed changes nothing; a drill queries the point's tables; a restore beside the live table brings
// the first point's table back under another name, one in place on the primary its dropped
// partition. Then: refusals (and database.*), partitions added in a loop while a backup runs, and
// an emergency failover and failback of a service with a table.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadClusters } from '../../src/config/load.js';
import type { Hive } from '../../src/hive/beeline.js';
import { readTables } from '../../src/hive/sync.js';
import { readIdentity } from '../../src/identity/identity.js';
import { openSite } from '../../src/sites/site.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { hiveLayout, startHive, stopHive, writeBeeline } from '../cluster/hive.js';
import {
  backup,
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  putTree,
  runId,
  tmpDir,
  tool,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const webhdfsSnapshots = async (dir: string) => (await webhdfs(east).listStatus(`${dir}/.snapshot`)).map((s) => s.pathSuffix);

const id = runId();
const db = `shop_${id}`;
const root = `/it/hive-${id}`;
const table = `hv_${id}:t`;

/** The site's Hive as hbackup reaches it: the clusters file's `hive.jdbcUrl` and `tools.beeline`. */
const hiveOf = (site: 'east' | 'west'): Hive => {
  writeBeeline(site);
  const cluster = loadClusters(clustersFile).clusters.clusters[site]!;
  return openSite({ ...cluster, name: site }).hive!;
};

describe('Hive tables in a restore point', () => {
  let primary: Hive;
  let secondary: Hive;
  beforeAll(async () => {
    await ensureSandboxUp();
    await Promise.all([startHive('east'), startHive('west')]);
    primary = hiveOf('east');
    secondary = hiveOf('west');
  });
  afterAll(async () => {
    // The failover's fence put east into safe mode; the failback switched back (if a test failed, roles are set again).
    await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    const [e, w] = await Promise.all([readIdentity(webhdfs(east)), readIdentity(webhdfs(west))]);
    if (e?.role !== 'primary' || w?.role !== 'secondary') await hbackup(['init', '--force']);
    await stopHive('east');
    await stopHive('west');
  });

  const count = async (hive: Hive, name: string) => Number((await hive.run([`SELECT COUNT(*) FROM ${db}.${name}`]))[0]![0]![0]);

  it("captures tables with their directory and an HBase table at one moment; the secondary's metastore follows", async () => {
    const days = { '2024-01-01': '1,9.50\n2,3.25\n', '2024-01-02': '3,1.00\n', '2024-01-03': '4,2.00\n5,7.75\n6,0.50\n' };
    await putTree(east, root, {
      ...Object.fromEntries(Object.entries(days).map(([d, text]) => [`sales/day=${d}/part-0.csv`, text])),
      'clicks/part-0.csv': 'a\nb\n',
    });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', root]);
    await hbaseShell(east, `create_namespace 'hv_${id}'\ncreate '${table}', 'f'\nput '${table}', 'r1', 'f:a', '1'\n`);
    await primary.run([
      `CREATE DATABASE ${db}`,
      `CREATE EXTERNAL TABLE ${db}.sales (id INT COMMENT 'order id', amount DECIMAL(10,2)) PARTITIONED BY (day STRING) ` +
        `ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION '${root}/sales'`,
      ...Object.keys(days).map((d) => `ALTER TABLE ${db}.sales ADD PARTITION (day='${d}')`),
      `CREATE EXTERNAL TABLE ${db}.clicks (what STRING) STORED AS TEXTFILE LOCATION '${root}/clicks'`,
    ]);
    const policy = writePolicy({
      service: `hive-${id}`,
      // Every table of the database (sales named first, clicks by `*`), listed on the primary at each run.
      datasets: [{ hive: `${db}.sales` }, { hdfs: root }, { hbase: table }, { hive: `${db}.*` }],
    });

    const first = await backup(policy);
    expect(first.report, first.stderr).toMatchObject({
      result: 'ok',
      datasets: [
        { type: 'hive', source: `${db}.sales`, mode: 'full', verified: { partitions: 3 } },
        { type: 'hdfs', mode: 'full' },
        { type: 'hbase', mode: 'full' },
        { type: 'hive', source: `${db}.clicks`, mode: 'full', verified: { partitions: 0 } },
      ],
    });
    // Data first, then the metadata over it.
    expect(first.stderr.indexOf(`ok ${db}.sales:`)).toBeGreaterThan(first.stderr.indexOf(`ok ${root}:`));
    const [sales, clicks] = await readTables(secondary, [
      { database: db, table: 'sales' },
      { database: db, table: 'clicks' },
    ]);
    expect(sales).toMatchObject({ tableType: 'EXTERNAL_TABLE', location: `${west.fsUri}${root}/sales` });
    expect(sales!.params['external.table.purge']).toBe('false');
    expect(sales!.partitions.map((p) => [p.values[0], p.location])).toEqual(
      Object.keys(days).map((d) => [d, `${west.fsUri}${root}/sales/day=${d}`]),
    );
    expect(clicks).toMatchObject({ location: `${west.fsUri}${root}/clicks`, partitions: [] });
    const [shown] = await secondary.run([`SHOW PARTITIONS ${db}.sales`]);
    expect(shown!.map((r) => r[0])).toEqual(Object.keys(days).map((d) => `day=${d}`));
    expect(await count(secondary, 'sales')).toBe(6);
    const listed = await hbackup(['list', policy]);
    expect(String(listed.stdout)).toContain(`Hive tables: ${db}.sales (3 partition(s)), ${db}.clicks (0 partition(s))`);

    // A partition dropped and one added, a column added, rows appended.
    await putTree(east, root, { 'sales/day=2024-01-04/part-0.csv': '7,1.00,new\n', 'sales/day=2024-01-03/part-1.csv': '8,4.00\n' });
    await primary.run([
      `ALTER TABLE ${db}.sales DROP PARTITION (day='2024-01-01')`,
      `ALTER TABLE ${db}.sales ADD PARTITION (day='2024-01-04')`,
      `ALTER TABLE ${db}.sales ADD COLUMNS (note STRING)`,
    ]);
    const second = await backup(policy);
    expect(second.report, second.stderr).toMatchObject({
      result: 'ok',
      datasets: [{ mode: 'incremental', verified: { partitions: 3 } }, { mode: 'incremental' }, {}, { mode: 'unchanged', statements: 0 }],
    });
    const [after] = await readTables(secondary, [{ database: db, table: 'sales' }]);
    expect(after!.columns.map((c) => c.name)).toEqual(['id', 'amount', 'note']);
    expect(after!.partitions.map((p) => p.values[0])).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(await count(secondary, 'sales')).toBe(await count(primary, 'sales'));

    // Nothing changed: no statement on the secondary's metastore.
    const third = await backup(policy);
    expect(third.report!.datasets.filter((d: any) => d.type === 'hive').map((d: any) => [d.mode, d.statements])).toEqual([
      ['unchanged', 0],
      ['unchanged', 0],
    ]);

    // A drill of the newest point: its tables beside the live ones on the secondary, queried by the
    // drill's check through Beeline, then dropped with their directories.
    const rowsAtPoint = await count(secondary, 'sales');
    const drillDir = tmpDir('hive-drill');
    const query = `SELECT COUNT(*) FROM ${db}.sales_hbackup_drill`;
    const check =
      `printf '%s\\n' "$HBACKUP_DRILL_HIVE_TABLES" > ${drillDir}/tables && ` +
      `${west.binDir}/beeline -u '${hiveLayout('west').jdbcUrl}' --silent=true --showHeader=false --outputformat=tsv2 -e '${query}' > ${drillDir}/count`;
    const drilled = await hbackup(['--json', 'drill', policy, '--check', check]);
    expect(drilled.exitCode, String(drilled.stderr)).toBe(0);
    const drillReport = JSON.parse(String(drilled.stdout).trim().split('\n').pop()!);
    expect(drillReport.datasets.filter((d: any) => d.type === 'hive')).toEqual([
      expect.objectContaining({
        scratch: `west:${db}.sales_hbackup_drill`,
        checked: [expect.stringMatching(/3 partition\(s\)/)],
        problems: [],
      }),
      expect.objectContaining({ scratch: `west:${db}.clicks_hbackup_drill`, problems: [] }),
    ]);
    expect(fs.readFileSync(`${drillDir}/tables`, 'utf8').trim().split(/\s+/)).toEqual([
      `${db}.sales_hbackup_drill`,
      `${db}.clicks_hbackup_drill`,
    ]);
    expect(Number(fs.readFileSync(`${drillDir}/count`, 'utf8').trim())).toBe(rowsAtPoint);
    expect((await secondary.run([`SHOW TABLES IN ${db}`]))[0]!.map((r) => r[0]).sort()).toEqual(['clicks', 'sales']);

    // The first restore point beside the live tables on the secondary: its partitions and rows.
    const restored = await hbackup(['restore', policy, '--point', first.report!.moment.replace(/[-:]/g, ''), '--suffix', '_r1', '--json']);
    expect(restored.exitCode, String(restored.stderr)).toBe(0);
    const [r1] = await readTables(secondary, [{ database: db, table: 'sales_r1' }]);
    expect(r1!.partitions.map((p) => [p.values[0], p.location])).toEqual(
      Object.keys(days).map((d) => [d, `${west.fsUri}${root}_r1/sales/day=${d}`]),
    );
    expect(await count(secondary, 'sales_r1')).toBe(6);

    // In place on the primary, with its directory: the dropped partition is back, the added one gone, the column too.
    const inPlace = await hbackup([
      'restore',
      policy,
      '--point',
      first.report!.moment.replace(/[-:]/g, ''),
      '--on',
      'primary',
      '--datasets',
      `${db}.sales`,
      root,
      '--yes',
      '--json',
    ]);
    expect(inPlace.exitCode, String(inPlace.stderr)).toBe(0);
    const [back] = await readTables(primary, [{ database: db, table: 'sales' }]);
    expect(back!.partitions.map((p) => [p.values[0], p.location])).toEqual(
      Object.keys(days).map((d) => [d, `${east.fsUri}${root}/sales/day=${d}`]),
    );
    expect(back!.columns.map((c) => c.name)).toEqual(['id', 'amount']);
    const ids = (await primary.run([`SELECT id FROM ${db}.sales`]))[0]!.map((r) => Number(r[0]));
    expect(ids.sort()).toEqual([1, 2, 3, 4, 5, 6]);
  }, 900_000);

  it('refuses in one line, changing nothing: transactional tables, a location outside HDFS, data in no snapshottable directory, data outside the policy, a metastore that does not answer', async () => {
    const plain = `/it/hive-${id}-plain`;
    await putTree(east, plain, { 'part-0.csv': 'x\n' });
    await primary.run([
      `CREATE DATABASE IF NOT EXISTS ${db}`,
      `CREATE EXTERNAL TABLE ${db}.local_t (x STRING) STORED AS TEXTFILE LOCATION 'file:///tmp/hbackup-hive-${id}'`,
      `CREATE EXTERNAL TABLE ${db}.plain_t (x STRING) STORED AS TEXTFILE LOCATION '${plain}'`,
    ]);
    const validate = async (name: string, env: Record<string, string> = {}) => {
      const policy = writePolicy({ service: `hv-bad-${id}`, datasets: [{ hive: `${db}.${name}` }, { hdfs: root }] });
      const r = await hbackup(['validate', policy, '--online'], { env });
      return { code: r.exitCode, out: `${r.stdout}${r.stderr}` };
    };
    // Transactional tables, made in a Beeline of their own with Hive's transaction manager.
    const acid = [
      'SET hive.support.concurrency=true',
      'SET hive.txn.manager=org.apache.hadoop.hive.ql.lockmgr.DbTxnManager',
      `CREATE TABLE ${db}.acid_t (x INT) STORED AS ORC TBLPROPERTIES ('transactional'='true')`,
      `CREATE TABLE ${db}.io_t (x INT) STORED AS TEXTFILE TBLPROPERTIES ('transactional'='true', 'transactional_properties'='insert_only')`,
    ];
    await tool(east, 'beeline', ['-u', hiveLayout('east').jdbcUrl, '--silent=true', '-e', `${acid.join(';\n')};`]);
    const missing = await validate('nope');
    expect(missing.out).toContain(`Hive table ${db}.nope does not exist on east`);
    // database.*: every table but the views, each checked and refused for its own reason.
    await primary.run([`CREATE VIEW ${db}.v_clicks AS SELECT * FROM ${db}.plain_t`]);
    const all = await validate('*');
    expect(all.code).toBe(3);
    expect(all.out).toContain(`${db}.local_t has data outside HDFS (file:/tmp/hbackup-hive-${id})`);
    expect(all.out).toContain(
      `${db}.plain_t: its data in ${plain} lies in no snapshottable directory; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot`,
    );
    for (const [name, kind] of [
      ['acid_t', 'ACID'],
      ['io_t', 'insert-only'],
    ]) {
      expect(all.out).toContain(
        `${db}.${name} is transactional (${kind}): its data files alone are not a consistent state; replicate it with Hive's own REPL DUMP / REPL LOAD`,
      );
    }
    expect(all.out).not.toContain('v_clicks');

    // A table whose directory is snapshottable but no data set of the policy: the backup refuses it before any snapshot.
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', plain]);
    const other = `/it/hive-${id}-other`;
    await putTree(east, other, { 'f.txt': 'f' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', other]);
    const outside = writePolicy({ service: `hv-out-${id}`, datasets: [{ hive: `${db}.plain_t` }, { hdfs: other }] });
    const refused = await backup(outside);
    expect(refused.r.exitCode).toBe(3);
    expect(refused.report!.error, refused.stderr).toContain(
      `${db}.plain_t: 1 location(s) outside the policy's hdfs data sets, e.g. ${east.fsUri}${plain}`,
    );
    expect(await webhdfsSnapshots(plain)).toEqual([]);

    // A metastore that does not answer.
    const sandbox = loadClusters(clustersFile).clusters;
    const dead = structuredClone(sandbox) as any;
    dead.clusters.east.hive.jdbcUrl = 'jdbc:hive2://127.0.0.1:1/default';
    const file = path.join(tmpDir('hive-dead'), 'clusters.yaml');
    fs.writeFileSync(file, stringify(dead));
    const down = await validate('sales', { HBACKUP_CLUSTERS: file });
    expect(down.code).toBe(3);
    expect(down.out).toMatch(/: Hive on east does not answer: Error: Could not open client transport .*Connection refused/);
  });

  it('keeps metadata and data at one moment while partitions are added in a loop during the backup', async () => {
    const race = `${root}-race`;
    await putTree(east, race, { 'ev/day=0/part-0.csv': 'x\n' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', race]);
    await primary.run([
      `CREATE DATABASE IF NOT EXISTS ${db}`,
      `CREATE EXTERNAL TABLE ${db}.race (what STRING) PARTITIONED BY (day STRING) STORED AS TEXTFILE LOCATION '${race}/ev'`,
      `ALTER TABLE ${db}.race ADD PARTITION (day='0')`,
    ]);
    const policy = writePolicy({ service: `hiverace-${id}`, datasets: [{ hdfs: race }, { hive: `${db}.race` }] });
    // An ingest job of its own session: registers a partition (Hive makes its directory), then writes into it.
    const ingest = hiveOf('east');
    let stop = false;
    let added = 0;
    const loop = (async () => {
      while (!stop) {
        const day = String(++added);
        await ingest.run([`ALTER TABLE ${db}.race ADD PARTITION (day='${day}')`]);
        await putTree(east, race, { [`ev/day=${day}/part-0.csv`]: `${day}\n` });
        await new Promise((r) => setTimeout(r, 3000));
      }
    })();
    let run: Awaited<ReturnType<typeof backup>>;
    try {
      run = await backup(policy);
    } finally {
      stop = true;
      await loop;
    }
    expect(run.report, run.stderr).toMatchObject({ result: 'ok' });
    expect(added).toBeGreaterThanOrEqual(2);
    const point = run.report!.restorePoint as string;
    const dirs = async (site: typeof east) =>
      (await webhdfs(site).listStatus(`${race}/.snapshot/${point}/ev`)).map((s) => s.pathSuffix.replace(/^day=/, '')).sort();
    const [there] = await readTables(secondary, [{ database: db, table: 'race' }]);
    const listed = there!.partitions.map((p) => p.values[0]!).sort();
    // Every partition listed has its directory in the snapshot, on both sides, and every directory its partition.
    expect(await dirs(east)).toEqual(listed);
    expect(await dirs(west)).toEqual(listed);
    expect(listed.length).toBeGreaterThan(1);
    console.log(
      `race: ${added} partitions added during the run, ${listed.length} at the moment, captures ${run.report!.captures ?? 1}, window ${run.report!.consistencyWindowMs} ms`,
    );
  }, 900_000);

  it("fails over in an emergency with the table queryable on the new primary at the served point; failback lists the old primary's new partition and puts its metastore back", async () => {
    const fo = `${root}-fo`;
    await putTree(east, fo, { 'ev/day=1/part-0.csv': 'a\nb\n', 'ev/day=2/part-0.csv': 'c\n' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', fo]);
    await primary.run([
      `CREATE DATABASE IF NOT EXISTS ${db}`,
      `CREATE EXTERNAL TABLE ${db}.ev (what STRING) PARTITIONED BY (day STRING) STORED AS TEXTFILE LOCATION '${fo}/ev'`,
      `ALTER TABLE ${db}.ev ADD PARTITION (day='1') PARTITION (day='2')`,
    ]);
    const policies = tmpDir('hive-fo');
    const policy = writePolicy({ service: `hivefo-${id}`, datasets: [{ hive: `${db}.ev` }, { hdfs: fo }] });
    fs.copyFileSync(policy, path.join(policies, path.basename(policy)));
    const pair = async (...args: string[]) => {
      const r = await hbackup([...args, '--policies', policies]);
      return { r, report: jsonLines(String(r.stdout))[0]!, out: `${r.stdout}\n${r.stderr}` };
    };
    const init = await hbackup(['init']);
    if (init.exitCode !== 0) expect((await hbackup(['init', '--force'])).exitCode).toBe(0);
    const point = await backup(policy);
    expect(point.report, point.stderr).toMatchObject({ result: 'ok' });
    // Rows written after the restore point never reach west.
    await putTree(east, fo, { 'ev/day=2/part-1.csv': 'late\n' });
    const rowsOf = async (hive: Hive, table: string) =>
      ((await hive.run([`SELECT * FROM ${db}.${table}`]))[0] ?? []).map((r) => r[0]).sort();

    const over = await pair('--json', 'failover', '--emergency', '--yes');
    expect(over.r.exitCode, over.out).toBe(0);
    expect(over.report).toMatchObject({ result: 'ok', mode: 'emergency', to: 'west' });
    expect(await rowsOf(secondary, 'ev')).toEqual(['a', 'b', 'c']);

    // East returns (out of safe mode): an application that missed the switch adds a partition there.
    await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'leave']);
    await putTree(east, fo, { 'ev/day=3/part-0.csv': 'missed\n' });
    await primary.run([`ALTER TABLE ${db}.ev ADD PARTITION (day='3')`]);
    const back = await pair('--json', 'failback', '--yes', '--switch');
    expect(back.r.exitCode, back.out).toBe(0);
    expect(back.report).toMatchObject({ result: 'ok', command: 'failback', endpoint: { site: 'east' } });
    const lost = back.report.services[0].lostWrites.find((l: any) => l.dataset === `${db}.ev`);
    expect(lost.changes).toEqual(['ADD PARTITION day=3']);
    expect(lost.quarantine).toMatch(new RegExp(`^${fo}/\\.snapshot/hbackup-quarantine-hivefo-`));
    // East holds west's table again (the missed partition only in quarantine), and serves it.
    const [ev] = await readTables(primary, [{ database: db, table: 'ev' }]);
    expect(ev!.partitions.map((p) => [p.values[0], p.location])).toEqual([
      ['1', `${east.fsUri}${fo}/ev/day=1`],
      ['2', `${east.fsUri}${fo}/ev/day=2`],
    ]);
    expect(await rowsOf(primary, 'ev')).toEqual(['a', 'b', 'c']);
  }, 900_000);
});
