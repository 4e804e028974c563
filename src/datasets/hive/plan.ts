/**
 * Planning a Hive table's backup, read-only: the table as the primary's metastore holds it (read
 * again after the snapshots: settle), refused when hbackup cannot keep it; every location must lie
 * in an HDFS data set of the policy, whose copy carries the data; a dry run also reads the
 * secondary's metastore and lists the statements that would make it match.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import type { Change } from '../../core/change.js';
import { KerberosError, PreflightError, UnreachableError } from '../../errors.js';
import type { Hive } from '../../hive/beeline.js';
import { readTables, rewriteLocation, syncStatements } from '../../hive/sync.js';
import { type TableMeta, tableRefusal } from '../../hive/tables.js';
import type { Site } from '../../sites/site.js';
import type { BackupContext, DatasetPlan, DatasetSpec, FlowContext } from '../kind.js';

export interface HivePlan extends DatasetPlan {
  /** The table as read before the moment; replaced by the read after it once the two agree. */
  table: TableMeta;
  /** The policy's HDFS data sets (source → target): where each location lies on the secondary. */
  dirs: [string, string][];
  /** A dry run's view: the statements that would make the secondary's metastore match, as it stands now. */
  statements: Change[];
}

/** `database.table` → its two parts. */
export const tableOf = (name: string) => {
  const [database = '', table = ''] = name.split('.');
  return { database, table };
};

/** What a site without a Hive lacks, said with what to set. */
export const noHive = (site: Site): string => `${site.name} has no Hive: set hive.jdbcUrl (and tools.beeline) for it in the clusters file`;

/** The site's Hive, or a refusal naming what to set. */
export function hiveOf(site: Site): Hive {
  if (!site.hive) throw new PreflightError([noHive(site)]);
  return site.hive;
}

/** The policy's HDFS data sets, source → target. */
export const dirsOf = (ctx: FlowContext): [string, string][] =>
  ctx.policy.datasets.flatMap((d) => (d.hdfs === undefined ? [] : [[d.hdfs, d.target ?? d.hdfs] as [string, string]]));

/** A location of the table on the secondary, or undefined when no HDFS data set of the policy holds it. */
export const locateOn = (ctx: FlowContext, dirs: [string, string][]) => (location: string) =>
  rewriteLocation(location, { fs: ctx.primary.cluster.fs, dirs }, ctx.secondary.cluster.fs);

/** Why the table's data is not carried by the policy's HDFS data sets, with the fix. */
export function unheld(ctx: FlowContext, t: TableMeta, dirs: [string, string][]): string | undefined {
  const locate = locateOn(ctx, dirs);
  const outside = [t.location, ...t.partitions.map((p) => p.location)].filter((l) => !locate(l));
  if (!outside.length) return undefined;
  const fs = ctx.primary.cluster.fs.replace(/\/$/, '');
  const first = outside[0]!;
  const hint = first.startsWith(`${fs}/`)
    ? `add the snapshottable directory that holds ${first.slice(fs.length)} as an hdfs data set of the policy`
    : `it is not on ${ctx.primary.name}'s file system ${fs}`;
  return `${t.database}.${t.table}: ${outside.length} location(s) outside the policy's hdfs data sets, e.g. ${first}: ${hint}`;
}

/**
 * What keeps a table of the primary from a restore point, read from its metastore: missing, of a
 * kind hbackup cannot keep, or with data outside snapshottable directories (with the command to run).
 */
export async function tableProblem(primary: Site, name: string): Promise<string | undefined> {
  let t: TableMeta | undefined;
  try {
    [t] = await readTables(hiveOf(primary), [tableOf(name)], { missingOk: true });
  } catch (e) {
    const why = (e as Error).message;
    return e instanceof UnreachableError || e instanceof KerberosError ? why : `the Hive of ${primary.name} cannot be read: ${why}`;
  }
  if (!t) return `Hive table ${name} does not exist on ${primary.name}`;
  const refused = tableRefusal(t);
  if (refused) return refused;
  const fs = primary.cluster.fs.replace(/\/$/, '');
  const roots = await primary.hdfs.snapshottableDirs();
  for (const l of [t.location, ...t.partitions.map((p) => p.location)]) {
    const path = l.startsWith(`${fs}/`) ? l.slice(fs.length) : undefined;
    if (!path) return `${name}: its location ${l} is not on ${primary.name}'s file system ${fs}`;
    if (!roots.some((r) => r === path || r === '/' || path.startsWith(`${r}/`))) {
      return `${name}: its data in ${path} lies in no snapshottable directory; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot <the directory that holds it, e.g. ${path}>`;
    }
  }
  return undefined;
}

/** The table read from a site's metastore (`partitioned`: as an earlier read found it); a refusal when it is missing or cannot be kept. */
export async function readHeld(
  ctx: FlowContext,
  site: Site,
  name: string,
  dirs: [string, string][],
  partitioned?: boolean,
): Promise<TableMeta> {
  const { database, table } = tableOf(name);
  const [t] = await readTables(hiveOf(site), [{ database, table }], {
    ...(partitioned === undefined ? { missingOk: true } : { partitioned: [partitioned] }),
  }).catch((e: Error) => {
    throw new PreflightError([`Hive table ${name} cannot be read on ${site.name}: ${e.message}`]);
  });
  if (!t) throw new PreflightError([`Hive table ${name} does not exist on ${site.name}`]);
  const refused = tableRefusal(t) ?? unheld(ctx, t, dirs);
  if (refused) throw new PreflightError([refused]);
  return t;
}

export async function planHive(
  ctx: BackupContext,
  spec: DatasetSpec,
  snapshot: string,
  previous: DatasetRecord | undefined,
): Promise<HivePlan> {
  const dirs = dirsOf(ctx);
  const known = (previous as { table?: TableMeta } | undefined)?.table;
  const table = await readHeld(ctx, ctx.primary, spec.source, dirs, known ? known.partitionKeys.length > 0 : undefined);
  const parts = table.partitionKeys.length ? `, ${table.partitions.length} partition(s)` : '';
  let statements: Change[] = [];
  if (ctx.options.dryRun) {
    const { database, table: name } = tableOf(spec.target);
    const [now] = await readTables(hiveOf(ctx.secondary), [{ database, table: name }], { missingOk: true });
    const locate = locateOn(ctx, dirs);
    statements = syncStatements(table, now, database, name, (l) => locate(l)!).map((s) => hiveChange(ctx.secondary, s));
  }
  return {
    spec,
    snapshot,
    mode: previous ? 'incremental' : 'full',
    reason: `${previous ? 'metadata since the previous restore point' : 'first copy of its metadata'}${parts}; data in the policy's hdfs data sets`,
    table,
    dirs,
    statements,
  };
}

/** A statement run by a site's Hive, as a plan lists it. */
export const hiveChange = (site: Site, statement: string): Change => ({
  site: site.name,
  hive: statement,
  text: `hive on ${site.name}: ${statement}`,
});
