import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/exec/runner.js';
import { answers, beelineArgs, beelineHive, script } from '../../src/hive/beeline.js';
import { parseDescribe, parsePartitionLocation, parsePartitionName } from '../../src/hive/describe.js';
import { columnType, ident, literal } from '../../src/hive/sql.js';
import { rewriteLocation, syncStatements } from '../../src/hive/sync.js';
import { type TableMeta, tableRefusal } from '../../src/hive/tables.js';

// What HiveServer2 4.0.1 answered through Beeline 3.1.3 (--outputformat=tsv2, no header) for
// `shop.sales` (id INT COMMENT 'the id', amount DECIMAL(10,2), tags ARRAY<STRING>) partitioned by
// (day STRING, region STRING), comma-delimited text, and for its partition (2024-01-01, e/u).
const rowsOf = (file: string) =>
  fs
    .readFileSync(path.join(import.meta.dirname, 'fixtures', file), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));

describe('Hive metadata', () => {
  it("reads DESCRIBE FORMATTED's sections: columns, partition keys, location, storage, parameters", () => {
    const t = parseDescribe(rowsOf('hive-4.0.1-describe.tsv'), 'shop', 'sales');
    expect(t).toEqual({
      database: 'shop',
      table: 'sales',
      tableType: 'EXTERNAL_TABLE',
      columns: [
        { name: 'id', type: 'int', comment: 'the id' },
        { name: 'amount', type: 'decimal(10,2)' },
        { name: 'tags', type: 'array<string>' },
      ],
      partitionKeys: [
        { name: 'day', type: 'string' },
        { name: 'region', type: 'string' },
      ],
      location: 'hdfs://127.0.0.1:20020/it/hv/sales',
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serde: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      serdeParams: { 'field.delim': ',', 'serialization.format': ',' },
      params: expect.objectContaining({ EXTERNAL: 'TRUE', comment: 'sales; by day', 'owner.team': 'its', numPartitions: '2' }),
    });
    expect(parsePartitionLocation(rowsOf('hive-4.0.1-describe-partition.tsv'))).toBe(
      'hdfs://127.0.0.1:20020/it/hv/sales/day=2024-01-01/region=e%2Fu',
    );
    expect(parsePartitionName('day=2024-01-01/region=e%2Fu')).toEqual(['2024-01-01', 'e/u']);
  });

  it('builds statements from quoted names and escaped values, never from pasted text', () => {
    expect(ident('we`ird')).toBe('`we``ird`');
    expect(() => ident('a;b')).toThrow(/semicolon/);
    expect(literal("it's; a\\b\nc")).toBe("'it\\'s\\073 a\\\\b\\nc'");
    expect(columnType('array<struct<a:int,b:decimal(10,2)>>')).toBe('array<struct<a:int,b:decimal(10,2)>>');
    expect(() => columnType("int) LOCATION 'x")).toThrow(/not one hbackup can write back/);
  });

  const table = (over: Partial<TableMeta> = {}): TableMeta => ({
    ...parseDescribe(rowsOf('hive-4.0.1-describe.tsv'), 'shop', 'sales'),
    partitions: [
      { values: ['2024-01-01', 'e/u'], location: 'hdfs://nn1:8020/it/hv/sales/day=2024-01-01/region=e%2Fu' },
      { values: ['2024-01-02', 'us'], location: 'hdfs://nn1:8020/elsewhere/p2' },
    ],
    location: 'hdfs://nn1:8020/it/hv/sales',
    ...over,
  });
  const locate = (l: string) =>
    rewriteLocation(
      l,
      {
        fs: 'hdfs://nn1:8020',
        dirs: [
          ['/it/hv', '/dr/hv'],
          ['/elsewhere', '/elsewhere'],
        ],
      },
      'hdfs://dr',
    )!;

  it('creates the table as EXTERNAL with every location on the secondary, then adds each partition', () => {
    const st = syncStatements(table(), undefined, 'shop_dr', 'sales', locate);
    expect(st[0]).toBe('CREATE DATABASE IF NOT EXISTS `shop_dr`');
    expect(st[1]).toBe(
      "CREATE EXTERNAL TABLE `shop_dr`.`sales` (`id` int COMMENT 'the id', `amount` decimal(10,2), `tags` array<string>) " +
        'PARTITIONED BY (`day` string, `region` string) ' +
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' WITH SERDEPROPERTIES ('field.delim'=',', 'serialization.format'=',') " +
        "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat' OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' " +
        "LOCATION 'hdfs://dr/dr/hv/sales' " +
        "TBLPROPERTIES ('comment'='sales\\073 by day', 'external.table.purge'='false', 'owner.team'='its')",
    );
    expect(st.slice(2)).toEqual([
      "ALTER TABLE `shop_dr`.`sales` ADD IF NOT EXISTS PARTITION (`day`='2024-01-01', `region`='e/u') LOCATION 'hdfs://dr/dr/hv/sales/day=2024-01-01/region=e%2Fu'",
      "ALTER TABLE `shop_dr`.`sales` ADD IF NOT EXISTS PARTITION (`day`='2024-01-02', `region`='us') LOCATION 'hdfs://dr/elsewhere/p2'",
    ]);
    expect(
      rewriteLocation('hdfs://nn1:8020/not/kept', { fs: 'hdfs://nn1:8020', dirs: [['/it/hv', '/dr/hv']] }, 'hdfs://dr'),
    ).toBeUndefined();
    expect(rewriteLocation('hdfs://nn1:8020/it/hvx', { fs: 'hdfs://nn1:8020', dirs: [['/it/hv', '/dr/hv']] }, 'hdfs://dr')).toBeUndefined();
  });

  it('changes only what differs: nothing when equal, partitions added, dropped and moved, the table recreated on a new column', () => {
    const want = table();
    const there = (t: TableMeta): TableMeta => ({
      ...t,
      params: { ...t.params, 'external.table.purge': 'false', transient_lastDdlTime: '1' },
      location: locate(t.location),
      partitions: t.partitions.map((p) => ({ ...p, location: locate(p.location) })),
    });
    expect(syncStatements(want, there(want), 'shop', 'sales', locate)).toEqual([]);
    const moved = there(want);
    moved.partitions = [
      { values: ['2024-01-02', 'us'], location: 'hdfs://dr/old' },
      { values: ['2023-12-31', 'x'], location: 'hdfs://dr/x' },
    ];
    expect(syncStatements(want, moved, 'shop', 'sales', locate)).toEqual([
      "ALTER TABLE `shop`.`sales` DROP IF EXISTS PARTITION (`day`='2023-12-31', `region`='x')",
      "ALTER TABLE `shop`.`sales` ADD IF NOT EXISTS PARTITION (`day`='2024-01-01', `region`='e/u') LOCATION 'hdfs://dr/dr/hv/sales/day=2024-01-01/region=e%2Fu'",
      "ALTER TABLE `shop`.`sales` PARTITION (`day`='2024-01-02', `region`='us') SET LOCATION 'hdfs://dr/elsewhere/p2'",
    ]);
    const wider = table({ columns: [...want.columns, { name: 'note', type: 'string' }] });
    const st = syncStatements(wider, there(want), 'shop', 'sales', locate);
    expect(st[0]).toBe('DROP TABLE IF EXISTS `shop`.`sales`');
    expect(st[1]).toMatch(/^CREATE EXTERNAL TABLE .*`note` string\)/);
    expect(st).toHaveLength(4);
    const managed = { ...there(want), tableType: 'MANAGED_TABLE' };
    expect(() => syncStatements(wider, managed, 'shop', 'sales', locate)).toThrow(/not an external table/);
  });

  it('refuses views, transactional tables, storage handlers and data outside HDFS, saying why', () => {
    expect(tableRefusal(table())).toBeUndefined();
    expect(tableRefusal(table({ params: { transactional: 'true', transactional_properties: 'insert_only' } }))).toMatch(
      /transactional \(insert_only\).*REPL DUMP \/ REPL LOAD/,
    );
    expect(tableRefusal(table({ params: { storage_handler: 'org.apache.hadoop.hive.hbase.HBaseStorageHandler' } }))).toMatch(/stored by/);
    expect(tableRefusal(table({ location: 's3a://bucket/sales' }))).toMatch(/outside HDFS \(s3a:\/\/bucket\/sales\)/);
    expect(tableRefusal(table({ tableType: 'VIRTUAL_VIEW' }))).toMatch(/is a view/);
  });
});

describe('Beeline', () => {
  it('runs a batch as -e with a marker before each statement, and splits the answers', async () => {
    expect(script(['SHOW DATABASES', 'SHOW TABLES'])).toBe(
      "SELECT 'hbackup:answer:0';\nSHOW DATABASES;\nSELECT 'hbackup:answer:1';\nSHOW TABLES;\n",
    );
    expect(answers('hbackup:answer:0\ndefault\nshop\nhbackup:answer:1\na\tb\n', 2)).toEqual([[['default'], ['shop']], [['a', 'b']]]);
    const seen: string[][] = [];
    const ok = async (cmd: { argv: string[] }): Promise<RunResult> => {
      seen.push(cmd.argv);
      return { exitCode: 0, stdout: 'hbackup:answer:0\nx\n', stderr: '' };
    };
    const hive = beelineHive('east', { argv: ['beeline', ...beelineArgs('jdbc:hive2://h:10000/default', 'hive')] }, ok);
    expect(await hive.run(['SHOW DATABASES'])).toEqual([[['x']]]);
    expect(seen[0]).toEqual([
      'beeline',
      '-u',
      'jdbc:hive2://h:10000/default',
      '-n',
      'hive',
      '--silent=true',
      '--showHeader=false',
      '--outputformat=tsv2',
      '-e',
      "SELECT 'hbackup:answer:0';\nSHOW DATABASES;\n",
    ]);
    // A long batch in several sessions, each argument under Linux's 128 KiB.
    seen.length = 0;
    await hive.run(
      Array.from({ length: 2000 }, (_, i) => `ALTER TABLE t ADD IF NOT EXISTS PARTITION (d='${i}') LOCATION '${'x'.repeat(80)}'`),
    );
    expect(seen.length).toBeGreaterThan(1);
    for (const argv of seen) expect(argv.at(-1)!.length).toBeLessThan(128 * 1024);
  });

  it('names the statement Hive refused and its one-line reason', async () => {
    const failing = async (): Promise<RunResult> => ({
      exitCode: 1,
      stdout: 'hbackup:answer:0\nhbackup:answer:1\n',
      stderr:
        'SLF4J: noise\nError: Error while compiling statement: FAILED: SemanticException [Error 10001]: Table not found nope.t (state=42S02,code=10001)\n',
    });
    const hive = beelineHive('east', { argv: ['beeline'] }, failing);
    await expect(hive.run(['SHOW DATABASES', 'SHOW PARTITIONS nope.t'])).rejects.toThrow(
      /^Hive on east refused a statement: Error: Error while compiling statement: FAILED: SemanticException \[Error 10001\]: Table not found nope\.t \(state=42S02,code=10001\) \(at: SHOW PARTITIONS nope\.t\)$/,
    );
  });
});
