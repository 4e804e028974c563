// Hive tables through each site's real HiveServer2 (4.0.1, its metastore on Derby, its warehouse on
// the site's HDFS) and the site's real Beeline: a partitioned external table read whole from east's
// metastore (columns, storage, parameters, partitions and their locations), its directory backed up
// to west by hbackup, and west's metastore made to hold it with every location on west; a second
// pass changes nothing; a partition dropped and one added on east are dropped and added on west.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/exec/runner.js';
import { beelineArgs, beelineHive, type Hive } from '../../src/hive/beeline.js';
import { readTables, rewriteLocation, syncStatements } from '../../src/hive/sync.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { hiveLayout, startHive, stopHive, writeBeeline } from '../cluster/hive.js';
import { backup, east, ensureSandboxUp, putTree, runId, tool, west, writePolicy } from './helpers.js';

const id = runId();
const db = `shop_${id}`;
const dir = `/it/hive-${id}/sales`;

const hiveOf = (site: 'east' | 'west'): Hive => {
  const h = hiveLayout(site);
  return beelineHive(site, { argv: [writeBeeline(site), ...beelineArgs(h.jdbcUrl, h.site.user)] }, execaRunner);
};

describe('Hive tables', () => {
  let primary: Hive;
  let secondary: Hive;
  beforeAll(async () => {
    await ensureSandboxUp();
    await Promise.all([startHive('east'), startHive('west')]);
    primary = hiveOf('east');
    secondary = hiveOf('west');
  });
  afterAll(async () => {
    await stopHive('east');
    await stopHive('west');
  });

  it('makes the secondary metastore hold a partitioned table as the primary does, locations on the secondary; then changes nothing', async () => {
    // Three partitions' files, written as an application would, then the table over them.
    const rows = { 'day=2024-01-01': '1,9.50\n2,3.25\n', 'day=2024-01-02': '3,1.00\n', 'day=2024-01-03': '4,2.00\n5,7.75\n6,0.50\n' };
    await putTree(east, dir, Object.fromEntries(Object.entries(rows).map(([d, text]) => [`${d}/part-0.csv`, text])));
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', `/it/hive-${id}`]);
    await primary.run([
      `CREATE DATABASE ${db}`,
      `CREATE EXTERNAL TABLE ${db}.sales (id INT COMMENT 'order id', amount DECIMAL(10,2)) COMMENT 'sales; by day' ` +
        `PARTITIONED BY (day STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION '${dir}' ` +
        `TBLPROPERTIES ('owner.team'='it''s')`,
      ...Object.keys(rows).map((d) => `ALTER TABLE ${db}.sales ADD PARTITION (day='${d.slice(4)}')`),
    ]);

    const [table] = await readTables(primary, [{ database: db, table: 'sales' }]);
    expect(table).toMatchObject({
      database: db,
      table: 'sales',
      tableType: 'EXTERNAL_TABLE',
      columns: [
        { name: 'id', type: 'int', comment: 'order id' },
        { name: 'amount', type: 'decimal(10,2)' },
      ],
      partitionKeys: [{ name: 'day', type: 'string' }],
      location: `${east.fsUri}${dir}`,
      serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      serdeParams: { 'field.delim': ',', 'serialization.format': ',' },
      params: { comment: 'sales; by day', 'owner.team': 'its' },
    });
    expect(table!.partitions).toEqual(Object.keys(rows).map((d) => ({ values: [d.slice(4)], location: `${east.fsUri}${dir}/${d}` })));

    // The data: the directory that holds the table, backed up by hbackup itself.
    const policy = writePolicy({ service: `hive-${id}`, datasets: [{ hdfs: `/it/hive-${id}` }] });
    expect((await backup(policy)).report).toMatchObject({ result: 'ok' });
    const locate = (l: string) => rewriteLocation(l, { fs: east.fsUri, dirs: [[`/it/hive-${id}`, `/it/hive-${id}`]] }, west.fsUri)!;

    const [before] = await readTables(secondary, [{ database: db, table: 'sales' }], true);
    expect(before).toBeUndefined();
    const statements = syncStatements(table!, before, db, 'sales', locate);
    expect(statements).toHaveLength(5);
    await secondary.run(statements);

    const [after] = await readTables(secondary, [{ database: db, table: 'sales' }], true);
    expect(after).toMatchObject({ tableType: 'EXTERNAL_TABLE', location: `${west.fsUri}${dir}`, columns: table!.columns });
    expect(after!.params['external.table.purge']).toBe('false');
    expect(after!.partitions.map((p) => p.location)).toEqual(Object.keys(rows).map((d) => `${west.fsUri}${dir}/${d}`));
    const [count, shown] = await secondary.run([`SELECT COUNT(*) FROM ${db}.sales`, `SHOW PARTITIONS ${db}.sales`]);
    expect(count).toEqual([['6']]);
    expect(shown!.map((r) => r[0])).toEqual(Object.keys(rows));
    expect(syncStatements(table!, after, db, 'sales', locate)).toEqual([]);

    // A partition dropped and one added on the primary: the same on the secondary, nothing else.
    await putTree(east, dir, { 'day=2024-01-04/part-0.csv': '7,1.00\n' });
    await primary.run([
      `ALTER TABLE ${db}.sales DROP PARTITION (day='2024-01-01')`,
      `ALTER TABLE ${db}.sales ADD PARTITION (day='2024-01-04')`,
    ]);
    expect((await backup(policy)).report).toMatchObject({ result: 'ok', datasets: [{ mode: 'incremental' }] });
    const [changed] = await readTables(primary, [{ database: db, table: 'sales' }]);
    const delta = syncStatements(changed!, after, db, 'sales', locate);
    expect(delta).toEqual([
      `ALTER TABLE \`${db}\`.\`sales\` DROP IF EXISTS PARTITION (\`day\`='2024-01-01')`,
      `ALTER TABLE \`${db}\`.\`sales\` ADD IF NOT EXISTS PARTITION (\`day\`='2024-01-04') LOCATION '${west.fsUri}${dir}/day=2024-01-04'`,
    ]);
    await secondary.run(delta);
    const [recount] = await secondary.run([`SELECT COUNT(*) FROM ${db}.sales`]);
    expect(recount).toEqual([['5']]);
  });
});
