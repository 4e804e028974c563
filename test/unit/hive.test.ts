import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type HbackupError, KerberosError } from '../../src/errors.js';
import type { Spawner } from '../../src/exec/session.js';
import { answers, beelineArgs, beelineHive, script } from '../../src/hive/beeline.js';
import { parseDescribe, parseExplainLocations, parsePartitionLocation, parsePartitionName } from '../../src/hive/describe.js';
import { columnType, ident, literal } from '../../src/hive/sql.js';
import { readTables, rewriteLocation, syncStatements } from '../../src/hive/sync.js';
import { type TableMeta, tableRefusal } from '../../src/hive/tables.js';
import { FakeMetastore, refusedSession } from '../fakes/hive.js';

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

  it('creates the table as EXTERNAL with every location on the secondary, then adds its partitions, a hundred per statement', () => {
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
      "ALTER TABLE `shop_dr`.`sales` ADD IF NOT EXISTS PARTITION (`day`='2024-01-01', `region`='e/u') LOCATION 'hdfs://dr/dr/hv/sales/day=2024-01-01/region=e%2Fu' " +
        "PARTITION (`day`='2024-01-02', `region`='us') LOCATION 'hdfs://dr/elsewhere/p2'",
    ]);
    // 250 partitions: three statements; dropped, likewise.
    const many = table({
      partitions: Array.from({ length: 250 }, (_, i) => ({ values: [`d${i}`, 'r'], location: `hdfs://nn1:8020/it/hv/sales/p${i}` })),
    });
    const added = syncStatements(many, undefined, 'shop_dr', 'sales', locate).slice(2);
    expect(added.map((x) => x.match(/ PARTITION \(/g)!.length)).toEqual([100, 100, 50]);
    const none = { ...many, partitions: [] };
    const gone = syncStatements(
      none,
      { ...many, params: { ...many.params, 'external.table.purge': 'false' }, location: locate(many.location) },
      'shop_dr',
      'sales',
      locate,
    );
    expect(gone.map((x) => x.match(/PARTITION \(/g)!.length)).toEqual([100, 100, 50]);
    expect(gone[2]).toMatch(/^ALTER TABLE `shop_dr`\.`sales` DROP IF EXISTS PARTITION \(`day`='d200', `region`='r'\), PARTITION/);
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
      "ALTER TABLE `shop`.`sales` PARTITION (`day`='2024-01-02', `region`='us') SET LOCATION 'hdfs://dr/elsewhere/p2'",
      "ALTER TABLE `shop`.`sales` ADD IF NOT EXISTS PARTITION (`day`='2024-01-01', `region`='e/u') LOCATION 'hdfs://dr/dr/hv/sales/day=2024-01-01/region=e%2Fu'",
    ]);
    const wider = table({ columns: [...want.columns, { name: 'note', type: 'string' }] });
    const st = syncStatements(wider, there(want), 'shop', 'sales', locate);
    expect(st[0]).toBe('DROP TABLE IF EXISTS `shop`.`sales`');
    expect(st[1]).toMatch(/^CREATE EXTERNAL TABLE .*`note` string\)/);
    expect(st).toHaveLength(3);
    const managed = { ...there(want), tableType: 'MANAGED_TABLE' };
    expect(() => syncStatements(wider, managed, 'shop', 'sales', locate)).toThrow(/not an external table/);
  });

  it('refuses views, transactional tables, storage handlers and data outside HDFS, saying why', () => {
    expect(tableRefusal(table())).toBeUndefined();
    expect(tableRefusal(table({ params: { transactional: 'true', transactional_properties: 'insert_only' } }))).toMatch(
      /transactional \(insert-only\).*REPL DUMP \/ REPL LOAD/,
    );
    expect(tableRefusal(table({ params: { storage_handler: 'org.apache.hadoop.hive.hbase.HBaseStorageHandler' } }))).toMatch(/stored by/);
    expect(tableRefusal(table({ location: 's3a://bucket/sales' }))).toMatch(/outside HDFS \(s3a:\/\/bucket\/sales\)/);
    expect(tableRefusal(table({ tableType: 'VIRTUAL_VIEW' }))).toMatch(/is a view/);
  });
});

describe('partition locations from the plan', () => {
  it('reads every partition and its location from EXPLAIN EXTENDED, the table location apart', () => {
    expect(parseExplainLocations(rowsOf('hive-4.0.1-explain.tsv'))).toEqual([
      { values: ['2024-01-02', 'us west'], location: 'hdfs://127.0.0.1:20020/elsewhere/p2' },
      { values: ['2024-01-01', 'e/u'], location: 'hdfs://127.0.0.1:20020/fx/sales/day=2024-01-01/region=e%2Fu' },
    ]);
  });

  it('reads them one by one when the metastore refuses a scan without a partition filter: the same table', async () => {
    const ms = new FakeMetastore();
    ms.put('shop', 'sales', {
      ...parseDescribe(rowsOf('hive-4.0.1-describe.tsv'), 'shop', 'sales'),
      partitions: [
        { values: ['2024-01-01', 'e/u'], location: 'hdfs://nn/x/day=2024-01-01/region=e%2Fu' },
        { values: ['2024-01-02', 'us'], location: 'hdfs://nn/elsewhere' },
      ],
    });
    const hive = beelineHive('east', { argv: ['beeline'] }, () => ms.session());
    const [planned] = await readTables(hive, [{ database: 'shop', table: 'sales' }]);
    const described = ms.log.filter((s) => /^DESCRIBE FORMATTED .* PARTITION/.test(s)).length;
    ms.strict = true;
    const [one] = await readTables(hive, [{ database: 'shop', table: 'sales' }]);
    expect(one).toEqual(planned);
    expect(planned!.partitions.map((p) => p.location)).toEqual(['hdfs://nn/x/day=2024-01-01/region=e%2Fu', 'hdfs://nn/elsewhere']);
    expect(described).toBe(0);
    expect(ms.log.filter((s) => /^DESCRIBE FORMATTED .* PARTITION/.test(s))).toHaveLength(2);
  });
});

describe('Beeline', () => {
  /** A fake Beeline session over a metastore, counting its starts and keeping what it was sent. */
  const beeline = (ms = new FakeMetastore()) => {
    const sent: string[] = [];
    let starts = 0;
    const spawn: Spawner = (cmd) => {
      starts++;
      expect(cmd.argv).toEqual([
        'beeline',
        '-u',
        'jdbc:hive2://h:10000/default',
        '-n',
        'hive',
        '--silent=true',
        '--showHeader=false',
        '--outputformat=tsv2',
      ]);
      const s = ms.session();
      return {
        ...s,
        write: (text) => {
          sent.push(text);
          s.write(text);
        },
      };
    };
    const command = { argv: ['beeline', ...beelineArgs('jdbc:hive2://h:10000/default', 'hive')] };
    return { ms, sent, starts: () => starts, spawn, command };
  };

  it('sends reads as one batch after markers Beeline prints itself, and splits the answers', async () => {
    expect(script(['SHOW DATABASES', 'SHOW TABLES'], 7)).toBe(
      '!sh echo hbackup:answer:0\nSHOW DATABASES;\n!sh echo hbackup:answer:1\nSHOW TABLES;\n!sh echo hbackup:done:7\nSELECT hbackup_sync_7;\n',
    );
    expect(answers(['hbackup:answer:0', 'default', 'shop', 'hbackup:answer:1', 'a\tb', 'hbackup:done:7', 'late'], 2)).toEqual([
      [['default'], ['shop']],
      [['a', 'b']],
    ]);
    const b = beeline();
    b.ms.put('shop', 'sales', { ...parseDescribe(rowsOf('hive-4.0.1-describe.tsv'), 'shop', 'sales'), partitionKeys: [], partitions: [] });
    const hive = beelineHive('east', b.command, b.spawn);
    const [dbs, tables] = await hive.run(['SHOW DATABASES', 'SHOW TABLES IN `shop`']);
    expect(dbs).toEqual([['shop']]);
    expect(tables).toEqual([['sales']]);
    expect(b.sent).toHaveLength(1);
  });

  it('keeps one session for a run, each change in a batch of its own; closes it when unused, and starts again', async () => {
    vi.useFakeTimers();
    try {
      const b = beeline();
      const hive = beelineHive('east', b.command, b.spawn, { idleMs: 60_000 });
      await hive.run(['CREATE DATABASE `a`', 'CREATE DATABASE `b`', 'SHOW DATABASES', 'SHOW TABLES IN `a`']);
      await hive.run(['SHOW DATABASES']);
      expect(b.starts()).toBe(1);
      // Two changes, each alone; the two reads together.
      expect(b.sent.map((t) => t.match(/^(?!!sh|SELECT hbackup_sync)[^\n]+;$/gm))).toEqual([
        ['CREATE DATABASE `a`;'],
        ['CREATE DATABASE `b`;'],
        ['SHOW DATABASES;', 'SHOW TABLES IN `a`;'],
        ['SHOW DATABASES;'],
      ]);
      await vi.advanceTimersByTimeAsync(61_000);
      await hive.run(['SHOW DATABASES']);
      expect(b.starts()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('names the statement Hive refused and its one-line reason, and runs nothing after a refused change', async () => {
    const b = beeline();
    const hive = beelineHive('east', b.command, b.spawn);
    await expect(hive.run(['SHOW DATABASES', 'SHOW PARTITIONS `nope`.`t`'])).rejects.toThrow(
      /^Hive on east refused a statement: Error: Error while compiling statement: FAILED: SemanticException \[Error 10001\]: Table not found nope\.t \(state=42000,code=40000\) \(at: SHOW PARTITIONS `nope`\.`t`\)$/,
    );
    await expect(hive.run(["ALTER TABLE `nope`.`t` DROP IF EXISTS PARTITION (`d`='1')", 'CREATE DATABASE `after`'])).rejects.toThrow(
      /refused a statement: .*Table not found nope\.t.*\(at: ALTER TABLE/,
    );
    expect(b.ms.dbs.has('after')).toBe(false);
    // The session goes on serving the next run.
    expect(await hive.run(['SHOW DATABASES'])).toEqual([[]]);
    expect(b.starts()).toBe(1);
  });

  it('says a Hive that does not answer, with what Beeline said, and starts afresh the next time', async () => {
    let starts = 0;
    const spawn: Spawner = () => {
      starts++;
      return refusedSession([
        'Error: Could not open client transport with JDBC Uri: jdbc:hive2://h:10000/default: java.net.ConnectException: Connection refused (state=08S01,code=0)',
      ]);
    };
    const hive = beelineHive('east', { argv: ['beeline'] }, spawn);
    await expect(hive.run(['SHOW DATABASES'])).rejects.toThrow(
      /^Hive on east does not answer: Error: Could not open client transport .*Connection refused/,
    );
    await expect(hive.run(['SHOW DATABASES'])).rejects.toThrow(/does not answer/);
    expect(starts).toBe(2);
  });

  it('says a Kerberos login HiveServer2 refused as such, with what to check, exit 3', async () => {
    const said =
      'Error: Could not open client transport with JDBC Uri: jdbc:hive2://h:10000/default;principal=hive/h@R: GSS initiate failed (state=08S01,code=0)';
    const spawn: Spawner = () =>
      refusedSession(['\tat com.sun.security.sasl.gsskerb.GssKrb5Client.evaluateChallenge(GssKrb5Client.java:209)', said]);
    const refused = await beelineHive('krb', { argv: ['beeline'] }, spawn, { kerberized: true })
      .run(['SHOW DATABASES'])
      .catch((e: HbackupError) => e);
    expect(refused).toBeInstanceOf(KerberosError);
    expect((refused as HbackupError).exitCode).toBe(3);
    expect((refused as Error).message).toMatch(
      /^Hive on krb refused hbackup's Kerberos login: Error: Could not open .*GSS initiate failed .*; check hive\.jdbcUrl's principal= .* and kerberos\.principal and keytab \(klist -kt\), or renew the ticket \(kinit\)$/,
    );
    expect((refused as Error).message).not.toContain('\n');
    // Without Kerberos the same words are a Hive that does not answer.
    await expect(beelineHive('east', { argv: ['beeline'] }, spawn).run(['SHOW DATABASES'])).rejects.toThrow(
      /^Hive on east does not answer/,
    );
  });
});
