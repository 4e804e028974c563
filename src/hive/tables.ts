/**
 * A Hive table as a restore point keeps it: schema, storage, parameters and partitions with their
 * locations; and the statements that make a metastore hold it (as an EXTERNAL table, so dropping it
 * never deletes restore-point data).
 */
import { columnType, ident, literal, partitionSpec, properties, qualified } from './sql.js';

export interface Column {
  name: string;
  type: string;
  comment?: string;
}

export interface PartitionMeta {
  /** Its values, in the order of the table's partition keys. */
  values: string[];
  location: string;
}

export interface TableMeta {
  database: string;
  table: string;
  /** EXTERNAL_TABLE, MANAGED_TABLE, VIRTUAL_VIEW, … as the metastore says. */
  tableType: string;
  columns: Column[];
  partitionKeys: Column[];
  location: string;
  inputFormat: string;
  outputFormat: string;
  serde: string;
  serdeParams: Record<string, string>;
  /** The table's parameters, without those the metastore keeps up by itself (times, statistics). */
  params: Record<string, string>;
  partitions: PartitionMeta[];
}

/** Parameters the metastore sets and changes by itself: never compared, never written back. */
const VOLATILE = new Set([
  'transient_lastDdlTime',
  'last_modified_by',
  'last_modified_time',
  'numFiles',
  'numRows',
  'rawDataSize',
  'totalSize',
  'numFilesErasureCoded',
  'numPartitions',
  'COLUMN_STATS_ACCURATE',
  'EXTERNAL',
  'bucketing_version',
]);

export const stableParams = (params: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).filter(([k]) => !VOLATILE.has(k)));

/** Why hbackup cannot keep this table in a restore point, or undefined. */
export function tableRefusal(t: TableMeta): string | undefined {
  const name = `${t.database}.${t.table}`;
  if (t.tableType === 'VIRTUAL_VIEW' || t.tableType === 'MATERIALIZED_VIEW') return `${name} is a view, not a table with data`;
  const p = { ...t.params };
  if (String(p.transactional).toLowerCase() === 'true') {
    const kind = String(p.transactional_properties).toLowerCase() === 'insert_only' ? 'insert-only' : 'ACID';
    return (
      `${name} is transactional (${kind}): its data files alone are not a consistent state; ` +
      "replicate it with Hive's own REPL DUMP / REPL LOAD"
    );
  }
  if (p.storage_handler) return `${name} is stored by ${p.storage_handler}, not in HDFS files`;
  for (const loc of [t.location, ...t.partitions.map((x) => x.location)]) {
    if (!/^hdfs:\/\//.test(loc)) return `${name} has data outside HDFS (${loc})`;
  }
  return undefined;
}

const columnList = (cols: Column[]) =>
  cols.map((c) => `${ident(c.name)} ${columnType(c.type)}${c.comment ? ` COMMENT ${literal(c.comment)}` : ''}`).join(', ');

/** CREATE EXTERNAL TABLE for `t` at `location` (the secondary's), with the parameters it keeps. */
export function createTable(t: TableMeta, db: string, table: string, location: string): string {
  const params = { ...stableParams(t.params), 'external.table.purge': 'false' };
  return [
    `CREATE EXTERNAL TABLE ${qualified(db, table)} (${columnList(t.columns)})`,
    t.partitionKeys.length ? `PARTITIONED BY (${columnList(t.partitionKeys)})` : '',
    `ROW FORMAT SERDE ${literal(t.serde)}`,
    Object.keys(t.serdeParams).length ? `WITH SERDEPROPERTIES ${properties(t.serdeParams)}` : '',
    `STORED AS INPUTFORMAT ${literal(t.inputFormat)} OUTPUTFORMAT ${literal(t.outputFormat)}`,
    `LOCATION ${literal(location)}`,
    `TBLPROPERTIES ${properties(params)}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** How many partitions one ALTER TABLE adds or drops (one statement costs the server a tenth of a second; a hundred, little more). */
export const PARTITIONS_PER_STATEMENT = 100;

const chunks = <T>(xs: T[]): T[][] =>
  Array.from({ length: Math.ceil(xs.length / PARTITIONS_PER_STATEMENT) }, (_, i) =>
    xs.slice(i * PARTITIONS_PER_STATEMENT, (i + 1) * PARTITIONS_PER_STATEMENT),
  );

/** ALTER TABLE … ADD IF NOT EXISTS PARTITION (…) LOCATION '…' …: the partitions, a hundred per statement. */
export const addPartitions = (t: TableMeta, db: string, table: string, parts: { values: string[]; location: string }[]): string[] =>
  chunks(parts).map(
    (some) =>
      `ALTER TABLE ${qualified(db, table)} ADD IF NOT EXISTS ${some
        .map(
          (p) =>
            `${partitionSpec(
              t.partitionKeys.map((k) => k.name),
              p.values,
            )} LOCATION ${literal(p.location)}`,
        )
        .join(' ')}`,
  );

/** ALTER TABLE … DROP IF EXISTS PARTITION (…), …: the partitions, a hundred per statement. */
export const dropPartitions = (t: TableMeta, db: string, table: string, values: string[][]): string[] =>
  chunks(values).map(
    (some) =>
      `ALTER TABLE ${qualified(db, table)} DROP IF EXISTS ${some
        .map((v) =>
          partitionSpec(
            t.partitionKeys.map((k) => k.name),
            v,
          ),
        )
        .join(', ')}`,
  );

export const createDatabase = (db: string): string => `CREATE DATABASE IF NOT EXISTS ${ident(db)}`;
export const dropTable = (db: string, table: string): string => `DROP TABLE IF EXISTS ${qualified(db, table)}`;
