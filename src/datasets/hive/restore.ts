/**
 * Bringing a Hive table's metadata back from a restore point: in place (the live table set back to
 * the point's schema and partitions) or beside it (`<table><suffix>` over the suffixed directories
 * the HDFS data sets are restored into), on either side, every location on that side. Its data
 * comes back with the point's HDFS data sets.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { HbackupError } from '../../errors.js';
import { readTables, rewriteLocation, syncStatements } from '../../hive/sync.js';
import type { TableMeta } from '../../hive/tables.js';
import type { Site } from '../../sites/site.js';
import type { FlowContext, RestoreItem, RestoreWhere, Verification } from '../kind.js';
import { hiveChange, noHive, tableOf } from './plan.js';

/** What a Hive record keeps beside the common fields. */
export interface HiveRecord {
  table: TableMeta;
  /** The file system the locations were on, and the policy's HDFS data sets (source → target) then. */
  fs: string;
  dirs: [string, string][];
}

export interface HiveRestore extends RestoreItem {
  statements: string[];
  want: TableMeta;
  database: string;
  name: string;
  locate: (location: string) => string;
}

export const hiveRecord = (record: DatasetRecord): HiveRecord => {
  const r = record as unknown as Partial<HiveRecord>;
  if (!r.table || !r.fs || !r.dirs)
    throw new HbackupError(`${record.source} in ${record.snapshot}: the catalog entry holds no table metadata`);
  return { table: r.table, fs: r.fs, dirs: r.dirs };
};

/**
 * Each HDFS data set of a record (its path when the point was made → where it lies on `site`). The
 * locations were read on `fs`, the primary then: on that site a directory is where it was; on the
 * other, at its data set's target.
 */
export const dirsOn = (site: Site, r: Pick<HiveRecord, 'fs' | 'dirs'>): [string, string][] => {
  const there = site.cluster.fs.replace(/\/$/, '') !== r.fs.replace(/\/$/, '');
  return r.dirs.map(([s, t]) => [s, there ? t : s]);
};

/** A table's name with a restore's suffix, whose characters Hive does not take in a name (`.`, `-`) become `_`. */
export const suffixed = (table: string, suffix: string): string => `${table}${suffix.replace(/[^A-Za-z0-9_]/g, '_')}`;

export async function planHiveRestore(ctx: FlowContext, record: DatasetRecord, where: RestoreWhere): Promise<HiveRestore> {
  const site = where.on === 'secondary' ? ctx.secondary : ctx.primary;
  const { table, fs, dirs } = hiveRecord(record);
  const live = tableOf(where.on === 'secondary' ? record.target : record.source);
  const name = suffixed(live.table, where.suffix ?? '');
  const suffix = where.suffix ?? '';
  const mapped = dirsOn(site, { fs, dirs }).map(([s, p]) => [s, `${p}${suffix}`] as [string, string]);
  const locate = (l: string) => rewriteLocation(l, { fs, dirs: mapped }, site.cluster.fs) ?? l;
  const problems: string[] = [];
  let statements: string[] = [];
  if (!site.hive) problems.push(noHive(site));
  else {
    const [now] = await readTables(site.hive, [{ database: live.database, table: name }], { missingOk: true });
    if (where.suffix && now) problems.push(`${live.database}.${name} exists on ${site.name}: choose another --suffix`);
    else statements = syncStatements(table, now, live.database, name, locate);
  }
  return {
    record,
    site: site.name,
    from: `${record.source} as in ${record.snapshot}`,
    to: `${site.name}:${live.database}.${name}`,
    inPlace: !where.suffix,
    method: statements.length ? "the metastore set to the restore point's table" : 'metastore already as at the restore point',
    changes: statements.map((s) => hiveChange(site, s)),
    problems,
    statements,
    want: table,
    database: live.database,
    name,
    locate,
  };
}

export async function restoreHive(ctx: FlowContext, item: HiveRestore): Promise<void> {
  if (!item.statements.length) return;
  ctx.debug(`run: hive on ${item.site}: ${item.statements.join('; ')}`);
  await ctx.sites[item.site]!.hive!.run(item.statements);
}

export async function verifyHiveRestore(ctx: FlowContext, item: HiveRestore): Promise<Verification> {
  const [now] = await readTables(ctx.sites[item.site]!.hive!, [{ database: item.database, table: item.name }], {
    partitioned: [item.want.partitionKeys.length > 0],
  });
  const left = syncStatements(item.want, now, item.database, item.name, item.locate);
  if (left.length) throw new HbackupError(`${item.to}: the metastore does not match the restore point: ${left[0]}`);
  return { files: 0, directories: 0, bytes: 0, checksums: false, filesChecksummed: 0, partitions: item.want.partitions.length };
}
