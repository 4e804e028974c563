// Hive tables in a backup, against fake sites with a metastore each (test/fakes/hive.ts answers the
// fake beeline as HiveServer2 does): the metadata is made the secondary's after the data, locations
// rewritten; nothing runs when nothing changed; a table that moved while the snapshots were taken
// is captured again; the dry run lists the statements after the data's copy.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeTable } from '../fakes/hive.js';
import { world } from '../fakes/world.js';

const sales = (fs: string): FakeTable => ({
  tableType: 'EXTERNAL_TABLE',
  columns: [
    { name: 'id', type: 'int', comment: 'order id' },
    { name: 'amount', type: 'decimal(10,2)' },
    { name: 'tags', type: 'map<string,array<int>>' },
  ],
  partitionKeys: [{ name: 'day', type: 'string' }],
  location: `${fs}/data/sales`,
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
  serdeParams: { 'field.delim': ';' },
  params: { comment: "it's; sales", numRows: '0' },
  partitions: [
    { values: ['2024-01-01'], location: `${fs}/data/sales/day=2024-01-01` },
    { values: ['a/b'], location: `${fs}/data/sales/day=a%2Fb` },
  ],
});

function setup() {
  const w = world({ hive: true });
  w.source('/data', { 'sales/day=2024-01-01/p.csv': '1;2.00\n', 'sales/day=a%2Fb/p.csv': '2;3.00\n' });
  w.metastores.east.put('shop', 'sales', sales(w.east.fs));
  const policy = w.policy({
    service: 'hv',
    datasets: [
      { hive: 'shop.sales', target: 'dr.sales' },
      { hdfs: '/data', target: '/dr/data' },
    ],
  });
  return { w, policy };
}

describe('Hive tables in a backup', () => {
  it("makes the secondary's metastore hold the table after its data, every location there; then changes nothing", async () => {
    const { w, policy } = setup();
    const first = await w.cli('--json', 'backup', policy);
    expect(first.code, first.stderr).toBe(0);
    expect(first.report!.datasets).toMatchObject([
      { type: 'hive', source: 'shop.sales', target: 'dr.sales', mode: 'full', statements: 3, verified: { partitions: 2 } },
      { type: 'hdfs', mode: 'full' },
    ]);
    // The directory is copied and verified before the metadata is written.
    expect(first.stderr.indexOf('ok /data:')).toBeLessThan(first.stderr.indexOf('ok shop.sales:'));
    const there = w.metastores.west.get('dr', 'sales')!;
    expect(there).toMatchObject({ tableType: 'EXTERNAL_TABLE', location: `${w.west.fs}/dr/data/sales`, columns: sales('').columns });
    expect(there.params).toEqual({ comment: "it's; sales", 'external.table.purge': 'false', EXTERNAL: 'TRUE' });
    expect(there.partitions).toEqual([
      { values: ['2024-01-01'], location: `${w.west.fs}/dr/data/sales/day=2024-01-01` },
      { values: ['a/b'], location: `${w.west.fs}/dr/data/sales/day=a%2Fb` },
    ]);
    const listed = await w.cli('list', policy);
    expect(listed.stdout).toContain('Hive tables: dr.sales (2 partition(s))');

    w.later();
    const log = w.metastores.west.log.length;
    const second = await w.cli('--json', 'backup', policy);
    expect(second.report!.datasets[0]).toMatchObject({ mode: 'unchanged', statements: 0 });
    // The secondary's metastore was only read.
    expect(w.metastores.west.log.slice(log).every((s) => /^(SHOW|DESCRIBE|EXPLAIN)/.test(s))).toBe(true);

    w.later();
    w.metastores.east.get('shop', 'sales')!.partitions.shift();
    const dry = await w.cli('--json', 'backup', policy, '--dry-run');
    const planned = dry.report!.planned!.map((p: { step: string; change: string }) => `${p.step}: ${p.change}`);
    const hive = planned.findIndex((p: string) => p.startsWith('copy shop.sales: hive on west:'));
    expect(planned[hive]).toBe("copy shop.sales: hive on west: ALTER TABLE `dr`.`sales` DROP IF EXISTS PARTITION (`day`='2024-01-01')");
    expect(hive).toBeGreaterThan(planned.findIndex((p: string) => p.startsWith('copy /data:')));
  });

  it('takes the moment again when the table moved while the snapshots were taken, and says so', async () => {
    const { w } = setup();
    const policy = w.policy({
      service: 'racy',
      datasets: [{ hdfs: '/data' }, { hive: 'shop.sales' }],
      hooks: { afterSnapshot: [['/opt/ingest']] },
    });
    let runs = 0;
    // The first time, a partition is added while the snapshots are taken (as an ingest job would).
    w.rec.handlers.set('/opt/ingest', () => {
      if (runs++ === 0)
        w.metastores.east.get('shop', 'sales')!.partitions.push({ values: ['new'], location: `${w.east.fs}/data/sales/day=new` });
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'racy: the metadata of shop.sales changed while the snapshots were taken: taking the moment again (2 of at most 5)',
    );
    expect(r.report).toMatchObject({ result: 'ok', captures: 2, datasets: [{}, { verified: { partitions: 3 } }] });
    expect(w.metastores.west.get('shop', 'sales')!.partitions.map((p) => p.values[0])).toEqual(['2024-01-01', 'a/b', 'new']);
    // The first capture's snapshot went; one restore point, of the second.
    expect(w.east.snapshots('/data')).toHaveLength(1);
  });

  it('reads a table that changed after the plan again just before the snapshots: no second capture', async () => {
    const { w } = setup();
    const policy = w.policy({
      service: 'late',
      datasets: [{ hdfs: '/data' }, { hive: 'shop.sales' }],
      hooks: { beforeSnapshot: [['/opt/pause']] },
    });
    // The partition appears once the plan is made, before the writers are paused.
    w.rec.handlers.set('/opt/pause', () => {
      w.metastores.east.get('shop', 'sales')!.partitions.push({ values: ['late'], location: `${w.east.fs}/data/sales/day=late` });
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.captures).toBeUndefined();
    expect(w.metastores.west.get('shop', 'sales')!.partitions.at(-1)).toEqual({
      values: ['late'],
      location: `${w.west.fs}/data/sales/day=late`,
    });
  });

  it('takes every table of a database named database.*, but its views, each under the target database', async () => {
    const { w } = setup();
    w.metastores.east.put('shop', 'clicks', {
      ...sales(w.east.fs),
      partitionKeys: [],
      partitions: [],
      location: `${w.east.fs}/data/clicks`,
    });
    w.metastores.east.put('shop', 'daily', { ...sales(w.east.fs), tableType: 'VIRTUAL_VIEW', partitions: [] });
    const policy = w.policy({ service: 'all', datasets: [{ hive: 'shop.*', target: 'dr.*' }, { hdfs: '/data' }] });
    const checked = await w.cli('validate', '--online', policy);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('3 data set(s)');
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.datasets.map((d: any) => [d.source, d.target])).toEqual([
      ['shop.clicks', 'dr.clicks'],
      ['shop.sales', 'dr.sales'],
      ['/data', '/data'],
    ]);
    expect([...w.metastores.west.dbs.get('dr')!.keys()].sort()).toEqual(['clicks', 'sales']);
    expect((await w.cli('validate', w.policy({ service: 'bad', datasets: [{ hive: 'shop.*', target: 'dr.one' }] }))).stderr).toContain(
      'database.* goes with a target database.* (and a table with a table)',
    );
  });

  it('drills a restore point with its table: beside the live one on the secondary, checked, then dropped with its directories', async () => {
    const { w, policy } = setup();
    expect((await w.cli('backup', policy)).code).toBe(0);
    // What a drill killed before its clean-up left: the table beside the live one.
    w.metastores.west.put('dr', 'sales_hbackup_drill', w.metastores.west.get('dr', 'sales')!);
    w.later();
    const r = await w.cli('--json', 'drill', policy, '--check', 'test -n "$HBACKUP_DRILL_HIVE_TABLES"');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.datasets).toContainEqual(
      expect.objectContaining({
        type: 'hive',
        scratch: 'west:dr.sales_hbackup_drill',
        checked: ["the metastore's table as at the restore point, 2 partition(s)"],
        problems: [],
      }),
    );
    const check = w.rec.commands.find((c) => c.env?.HBACKUP_DRILL_HIVE_TABLES);
    expect(check!.env!.HBACKUP_DRILL_HIVE_TABLES).toBe('dr.sales_hbackup_drill');
    expect([...w.metastores.west.dbs.get('dr')!.keys()]).toEqual(['sales']);
    expect(w.west.lookup('/dr/data.hbackup-drill')).toBeUndefined();
  });

  it('refuses a transactional table and a table whose data no hdfs data set holds, before any snapshot', async () => {
    const { w } = setup();
    w.metastores.east.put('shop', 'acid', { ...sales(w.east.fs), params: { transactional: 'true' } });
    const acid = await w.cli('--json', 'backup', w.policy({ service: 'acid', datasets: [{ hive: 'shop.acid' }, { hdfs: '/data' }] }));
    expect(acid.code).toBe(3);
    expect(acid.report!.error).toMatch(/shop\.acid is transactional \(ACID\): .*REPL DUMP \/ REPL LOAD/);
    w.source('/other', { 'f.txt': 'f' });
    const outside = await w.cli('--json', 'backup', w.policy({ service: 'out', datasets: [{ hive: 'shop.sales' }, { hdfs: '/other' }] }));
    expect(outside.code).toBe(3);
    expect(outside.report!.error).toContain(
      `shop.sales: 3 location(s) outside the policy's hdfs data sets, e.g. ${w.east.fs}/data/sales: add the snapshottable directory that holds /data/sales as an hdfs data set of the policy`,
    );
    expect(w.east.snapshots('/data')).toEqual([]);
    expect(w.east.snapshots('/other')).toEqual([]);
  });

  it("refuses a backup whose secondary's Hive does not answer before anything is snapshotted or copied", async () => {
    const { w, policy } = setup();
    w.metastores.west.refuse = 'java.net.ConnectException: Connection refused';
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code).toBe(3);
    expect(r.report!.error).toMatch(
      /^preflight refused: Hive on west does not answer: Error: Could not open client transport .*Connection refused/,
    );
    expect(w.east.snapshots('/data')).toEqual([]);
    expect(w.west.lookup('/dr/data')).toBeUndefined();
  });

  it("fails over with the table at the served point on the new primary; failback lists the old primary's partitions and puts its metastore back", async () => {
    const { w, policy } = setup();
    const policies = path.join(w.dir, 'policies');
    fs.mkdirSync(policies);
    fs.copyFileSync(policy, path.join(policies, 'hv.yaml'));
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.later();
    const pair = (...args: string[]) => w.cli('--clusters', w.clustersFile, ...args, '--policies', policies);
    // A later copy died after it had written a partition into west's metastore: the failover takes it away.
    const west = () => w.metastores.west.get('dr', 'sales')!;
    west().partitions.push({ values: ['half'], location: `${w.west.fs}/dr/data/sales/day=half` });
    w.east.down = true;
    const over = await pair('--json', 'failover', '--yes');
    expect(over.code, over.stderr).toBe(0);
    expect(over.report!.services[0].datasets.at(-1)).toMatchObject({
      type: 'hive',
      to: 'west:dr.sales',
      method: "the metastore set to the restore point's table",
    });
    expect(west().partitions.map((p) => p.values[0])).toEqual(['2024-01-01', 'a/b']);

    // East returns; an application that missed the switch added a partition there and dropped one.
    w.east.down = false;
    const east = w.metastores.east.get('shop', 'sales')!;
    east.partitions.shift();
    east.partitions.push({ values: ['missed'], location: `${w.east.fs}/data/sales/day=missed` });
    w.east.write('/data/sales/day=missed/p.csv', '9;9.00\n');
    w.later();
    const back = await pair('--json', 'failback', '--yes');
    expect(back.code, back.stderr).toBe(0);
    const lost = back.report!.services[0].lostWrites.find((l: any) => l.dataset === 'shop.sales');
    expect(lost).toEqual({
      dataset: 'shop.sales',
      quarantine: '/data/.snapshot/hbackup-quarantine-hv-20261125T040000Z',
      changes: ['ADD PARTITION day=missed', 'DROP PARTITION day=2024-01-01'],
    });
    // East's metastore is west's table again, every location on east; the next backup goes west → east.
    const byValue = (ps: { values: string[] }[]) => [...ps].sort((a, b) => a.values[0]!.localeCompare(b.values[0]!));
    expect(byValue(w.metastores.east.get('shop', 'sales')!.partitions)).toEqual([
      { values: ['2024-01-01'], location: `${w.east.fs}/data/sales/day=2024-01-01` },
      { values: ['a/b'], location: `${w.east.fs}/data/sales/day=a%2Fb` },
    ]);
    w.later();
    west().partitions.push({ values: ['c'], location: `${w.west.fs}/dr/data/sales/day=c` });
    w.west.write('/dr/data/sales/day=c/p.csv', '3;1.00\n');
    const next = await w.cli('--json', 'backup', policy);
    expect(next.report, next.stderr).toMatchObject({ result: 'ok' });
    expect(next.report!.datasets[0]).toMatchObject({ type: 'hive', source: 'dr.sales', target: 'shop.sales', statements: 1 });
    expect(w.metastores.east.get('shop', 'sales')!.partitions.at(-1)).toEqual({ values: ['c'], location: `${w.east.fs}/data/sales/day=c` });
  });
});
