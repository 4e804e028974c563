#!/usr/bin/env node
import fs from 'node:fs';
import os from 'node:os';
// Hive metadata at scale, against the running sandbox (npm run sandbox:up; `npm run build` first;
// each site's HiveServer2 is started here when it is not running). A table of 1,000 partitions on
// east: the time to read it whole (what a backup captures), to make west's metastore hold it from
// empty, to read it back there and find nothing to do, and to apply one new partition. Then the
// consistency window of a backup of a policy with that table, its directory, a second directory
// and an HBase table. Prints figures; asserts nothing.
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { loadClusters } from '../dist/config/load.js';
import { readTables, rewriteLocation, syncStatements } from '../dist/hive/sync.js';
import { openSite } from '../dist/sites/site.js';
import { startHive, writeBeeline } from '../test/cluster/hive.js';
import { sandboxDir } from '../test/cluster/layout.js';

const root = path.resolve(import.meta.dirname, '..');
const clustersFile = path.join(sandboxDir(), 'clusters.yaml');
const env = { HBACKUP_CLUSTERS: clustersFile, HBACKUP_STATE_DIR: path.join(sandboxDir(), 'state'), NO_COLOR: '1' };
const PARTITIONS = Number(process.env.PARTITIONS ?? 1000);
const id = Date.now().toString(36);
const db = `bench_${id}`;
const dir = `/bench/hive-${id}`;

await Promise.all([startHive('east'), startHive('west')]);
const clusters = loadClusters(clustersFile).clusters.clusters;
const site = (name) => {
  writeBeeline(name);
  return openSite({ ...clusters[name], name });
};
const [east, west] = [site('east'), site('west')];
const timed = async (what, f) => {
  const t = Date.now();
  const out = await f();
  console.log(`${what}: ${Date.now() - t} ms`);
  return out;
};
const tool = (name, tool, args, input) =>
  execa(path.join(sandboxDir(), name, 'bin', tool), args, { input, reject: false }).then((r) => {
    if (r.exitCode !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr.slice(-500)}`);
    return r;
  });

// The table on east: its partitions added a hundred per statement (Hive makes their directories).
await east.hive.run([`SHOW DATABASES`]);
await timed(`create ${db}.t with ${PARTITIONS} partitions on east (setup)`, async () => {
  const days = Array.from({ length: PARTITIONS }, (_, i) => `PARTITION (day='${String(i).padStart(4, '0')}')`);
  const adds = [];
  for (let i = 0; i < days.length; i += 100) adds.push(`ALTER TABLE ${db}.t ADD ${days.slice(i, i + 100).join(' ')}`);
  await east.hive.run([
    `CREATE DATABASE ${db}`,
    `CREATE EXTERNAL TABLE ${db}.t (id INT, what STRING) PARTITIONED BY (day STRING) STORED AS TEXTFILE LOCATION '${dir}/t'`,
    ...adds,
  ]);
});

const names = [{ database: db, table: 't' }];
const [table] = await timed(`capture: read ${db}.t whole on east (${PARTITIONS} partitions with their locations)`, () =>
  readTables(east.hive, names, { partitioned: [true] }),
);
await timed('read again without the partitions’ locations (the reads around the moment)', () =>
  readTables(east.hive, names, { partitioned: [true], locations: false }),
);
// Applied under another database and directory on west: the backup below starts from an empty target.
const applied = `${db}_apply`;
const there = [{ database: applied, table: 't' }];
const locate = (l) => rewriteLocation(l, { fs: east.cluster.fs, dirs: [[dir, `${dir}-apply`]] }, west.cluster.fs);
const statements = syncStatements(table, undefined, applied, 't', locate);
await timed(`apply on west from empty (${statements.length} statements)`, () => west.hive.run(statements));
await timed('read back on west and compare (verification): nothing to do', async () => {
  const [now] = await readTables(west.hive, there, { partitioned: [true] });
  const left = syncStatements(table, now, applied, 't', locate);
  if (left.length) throw new Error(`west differs: ${left[0]}`);
});
table.partitions.push({ values: ['new'], location: `${east.cluster.fs}${dir}/t/day=new` });
await timed('one partition more: read west, apply', async () => {
  const [now] = await readTables(west.hive, there, { partitioned: [true] });
  await west.hive.run(syncStatements(table, now, applied, 't', locate));
});

// The consistency window of a service: the table, its directory, a second directory and an HBase table.
const hbaseTable = `hvb_${id}:orders`;
await tool(
  'east',
  'hbase',
  ['shell', '-n'],
  `create_namespace 'hvb_${id}'\ncreate '${hbaseTable}', 'f'\nput '${hbaseTable}', 'r1', 'f:a', '1'\n`,
);
await tool('east', 'hdfs', ['dfs', '-mkdir', '-p', `${dir}-logs`]);
await tool('east', 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
await tool('east', 'hdfs', ['dfsadmin', '-allowSnapshot', `${dir}-logs`]);
const policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-hive-'));
const policy = path.join(policyDir, 'hive.yaml');
fs.writeFileSync(
  policy,
  stringify({
    clusters: clustersFile,
    service: `bench-hive-${id}`,
    datasets: [{ hdfs: dir }, { hdfs: `${dir}-logs` }, { hbase: hbaseTable }, { hive: `${db}.t` }],
  }),
);
for (const run of ['first', 'second (nothing changed)']) {
  const t = Date.now();
  const r = await execa('node', [path.join(root, 'bin/hbackup.js'), '--json', 'backup', policy], { env, reject: false });
  const report = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}');
  if (report.result !== 'ok') throw new Error(`backup failed: ${report.error ?? r.stderr.slice(-800)}`);
  const hive = report.datasets.find((d) => d.type === 'hive');
  console.log(
    `backup, ${run}: ${Date.now() - t} ms; consistency window ${report.consistencyWindowMs} ms, captures ${report.captures ?? 1}; ` +
      `phases ${JSON.stringify(report.phasesMs)}; the table: ${hive.statements} statement(s), ${hive.verified.partitions} partitions verified`,
  );
}
fs.rmSync(policyDir, { recursive: true, force: true });
