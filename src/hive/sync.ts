/**
 * Reading a table whole from one metastore, and the statements that make another metastore hold
 * it exactly (database, EXTERNAL table, partitions and their locations): nothing when it already
 * does. The statements are the plan: printed by a dry run, run by Beeline.
 */
import type { Hive } from './beeline.js';
import { parseDescribe, parseExplainLocations, parsePartitionLocation, parsePartitionName } from './describe.js';
import { ident, literal, partitionSpec, qualified } from './sql.js';
import {
  addPartitions,
  createDatabase,
  createTable,
  dropPartitions,
  dropTable,
  type PartitionMeta,
  stableParams,
  type TableMeta,
} from './tables.js';

export interface ReadOptions {
  /** A missing table (or database) reads as undefined; otherwise Hive's refusal is the error. */
  missingOk?: boolean;
  /** Which tables are known to be partitioned (from an earlier read): their partitions' names are asked with their description. */
  partitioned?: boolean[];
  /** Ask the partitions' locations (default); `false`: partitions come with an empty location. */
  locations?: boolean;
}

/**
 * The tables as their metastore holds them, partitions and locations included. Beeline sessions:
 * the databases and their tables (when `missingOk`: two), the descriptions with the partitions'
 * names of the tables known to be partitioned (one; two when not known), the partitions' locations
 * (one: each partitioned table's plan; and one for those the plan did not name; not with
 * `locations: false`).
 */
export async function readTables(
  hive: Hive,
  names: { database: string; table: string }[],
  opts: ReadOptions = {},
): Promise<(TableMeta | undefined)[]> {
  if (!opts.partitioned) return readAll(hive, names, opts);
  // A table known as partitioned may have been made again without partitions: then read it plainly.
  return readAll(hive, names, opts).catch(() => readAll(hive, names, { ...opts, partitioned: undefined }));
}

async function readAll(hive: Hive, names: { database: string; table: string }[], opts: ReadOptions): Promise<(TableMeta | undefined)[]> {
  const { missingOk = false } = opts;
  if (!names.length) return [];
  let present = names;
  if (missingOk) {
    const [databases = []] = await hive.run(['SHOW DATABASES']);
    const known = new Set(databases.map((r) => (r[0] ?? '').toLowerCase()));
    const dbs = [...new Set(names.map((n) => n.database.toLowerCase()))].filter((d) => known.has(d));
    const listed = await hive.run(dbs.map((d) => `SHOW TABLES IN ${ident(d)}`));
    const tables = new Set(dbs.flatMap((d, i) => (listed[i] ?? []).map((r) => `${d}.${(r[0] ?? '').toLowerCase()}`)));
    present = names.filter((n) => tables.has(`${n.database}.${n.table}`.toLowerCase()));
  }
  const known = (n: { database: string; table: string }) => opts.partitioned?.[names.indexOf(n)] === true;
  const first = await hive.run([
    ...present.map((n) => `DESCRIBE FORMATTED ${qualified(n.database, n.table)}`),
    ...present.filter(known).map((n) => `SHOW PARTITIONS ${qualified(n.database, n.table)}`),
  ]);
  const tables = present.map((n, i) => ({ ...parseDescribe(first[i] ?? [], n.database, n.table), partitions: [] as PartitionMeta[] }));
  const partitioned = tables.filter((t) => t.partitionKeys.length);
  const hinted = present.filter(known).map((n) => `${n.database}.${n.table}`);
  const unknown = partitioned.filter((t) => !hinted.includes(`${t.database}.${t.table}`));
  const asked = await hive.run(unknown.map((t) => `SHOW PARTITIONS ${qualified(t.database, t.table)}`));
  const shown = partitioned.map((t) => {
    const h = hinted.indexOf(`${t.database}.${t.table}`);
    return h >= 0 ? first[present.length + h] : asked[unknown.indexOf(t)];
  });
  const each = partitioned.flatMap((t, i) => (shown[i] ?? []).map((r) => ({ t, values: parsePartitionName(r[0] ?? '') })));
  if (opts.locations === false) {
    for (const { t, values } of each) t.partitions.push({ values, location: '' });
    return names.map((n) => tables.find((t) => t.database === n.database && t.table === n.table));
  }
  // Every partition's location in one statement per table; where that plan cannot be had (a
  // metastore in strict mode refuses a scan without a partition filter), one statement per partition.
  const explained = new Map<string, string>();
  const plans = await hive
    .run(partitioned.map((t) => `EXPLAIN EXTENDED SELECT * FROM ${qualified(t.database, t.table)}`))
    .catch(() => [] as string[][][]);
  partitioned.forEach((t, i) => {
    for (const p of parseExplainLocations(plans[i] ?? [])) explained.set(`${t.database}.${t.table}\0${key(p.values)}`, p.location);
  });
  const where = ({ t, values }: { t: TableMeta; values: string[] }) => explained.get(`${t.database}.${t.table}\0${key(values)}`);
  const rest = each.filter((e) => where(e) === undefined);
  const located = await hive.run(
    rest.map(
      ({ t, values }) =>
        `DESCRIBE FORMATTED ${qualified(t.database, t.table)} ${partitionSpec(
          t.partitionKeys.map((k) => k.name),
          values,
        )}`,
    ),
  );
  const described = new Map(rest.map((e, r) => [e, parsePartitionLocation(located[r] ?? [])]));
  for (const e of each) e.t.partitions.push({ values: e.values, location: described.get(e) ?? where(e)! });
  return names.map((n) => tables.find((t) => t.database === n.database && t.table === n.table));
}

/** Where a location of the primary lies on the secondary: its file system, and the target of the data set that holds it. */
export function rewriteLocation(location: string, from: { fs: string; dirs: [string, string][] }, toFs: string): string | undefined {
  const fs = from.fs.replace(/\/$/, '');
  if (!location.startsWith(`${fs}/`) && location !== fs) return undefined;
  const p = location.slice(fs.length) || '/';
  for (const [source, target] of from.dirs) {
    if (p === source || p.startsWith(`${source}/`)) return `${toFs.replace(/\/$/, '')}${target}${p.slice(source.length)}`;
  }
  return undefined;
}

const key = (values: string[]) => JSON.stringify(values);

/** A table's columns, partition keys, storage and parameters: what a table created again would change. */
const storage = (t: TableMeta) => [
  t.columns,
  t.partitionKeys,
  t.inputFormat,
  t.outputFormat,
  t.serde,
  t.serdeParams,
  stableParams(t.params),
];

/** Same columns, storage and parameters (the location aside)? */
function sameShape(a: TableMeta, b: TableMeta): boolean {
  const shape = (t: TableMeta) => JSON.stringify(storage(t));
  const withoutPurge = (t: TableMeta): TableMeta => {
    const { 'external.table.purge': _, ...params } = t.params;
    return { ...t, params };
  };
  return shape(withoutPurge(a)) === shape(withoutPurge(b));
}

/**
 * The statements that make `now` (the secondary's table, or undefined) equal to `want` (as kept in
 * the restore point) under `db`.`table`, every location passed through `locate`.
 */
export function syncStatements(
  want: TableMeta,
  now: TableMeta | undefined,
  db: string,
  table: string,
  locate: (l: string) => string,
): string[] {
  const out: string[] = [];
  const location = locate(want.location);
  let current = now;
  if (!current) out.push(createDatabase(db));
  if (current && (current.tableType !== 'EXTERNAL_TABLE' || !sameShape(want, current) || current.location !== location)) {
    if (current.tableType !== 'EXTERNAL_TABLE' || String(current.params['external.table.purge']).toLowerCase() === 'true') {
      throw new Error(`${db}.${table} on the secondary is not an external table that keeps its files when dropped`);
    }
    // Dropping an external table keeps its files: the restore point's data stays where it is.
    out.push(dropTable(db, table));
    current = undefined;
  }
  if (!current) out.push(createTable(want, db, table, location));
  const have = new Map((current?.partitions ?? []).map((p) => [key(p.values), p]));
  const wanted = new Set(want.partitions.map((p) => key(p.values)));
  const gone = (current?.partitions ?? []).filter((p) => !wanted.has(key(p.values)));
  out.push(
    ...dropPartitions(
      want,
      db,
      table,
      gone.map((p) => p.values),
    ),
  );
  const added: { values: string[]; location: string }[] = [];
  for (const p of want.partitions) {
    const loc = locate(p.location);
    const there = have.get(key(p.values));
    if (!there) added.push({ values: p.values, location: loc });
    else if (there.location !== loc) {
      out.push(
        `ALTER TABLE ${qualified(db, table)} ${partitionSpec(
          want.partitionKeys.map((k) => k.name),
          p.values,
        )} SET LOCATION ${literal(loc)}`,
      );
    }
  }
  out.push(...addPartitions(want, db, table, added));
  return out;
}

/** A partition as Hive names it: k=v/k2=v2. */
const partitionName = (t: TableMeta, values: string[]) => t.partitionKeys.map((k, i) => `${k.name}=${values[i] ?? ''}`).join('/');

/** What changed in a table's metadata from `before` to `after` (undefined: dropped), in words a report lists. */
export function tableChanges(before: TableMeta, after: TableMeta | undefined): string[] {
  if (!after) return ['DROP TABLE'];
  const out: string[] = [];
  const cols = (t: TableMeta) => t.columns.map((c) => `${c.name} ${c.type}`).join(', ');
  if (cols(before) !== cols(after)) out.push(`COLUMNS (${cols(before)}) → (${cols(after)})`);
  if (!sameShape({ ...before, columns: after.columns }, after)) out.push('storage or table parameters altered');
  const had = new Set(before.partitions.map((p) => key(p.values)));
  const has = new Set(after.partitions.map((p) => key(p.values)));
  for (const p of after.partitions) if (!had.has(key(p.values))) out.push(`ADD PARTITION ${partitionName(after, p.values)}`);
  for (const p of before.partitions) if (!has.has(key(p.values))) out.push(`DROP PARTITION ${partitionName(before, p.values)}`);
  return out;
}

/** What must not move between the reads around the moment: the table and its partitions' names (their locations are read once, when planning). */
export const shapeOf = (t: TableMeta): string => JSON.stringify([...storage(t), t.location, t.partitions.map((p) => p.values)]);
