/**
 * Hive tables as a data-set kind: the table's metadata (schema, storage, parameters, partitions and
 * their locations) read before the moment and again just after it — the two must agree, or the
 * moment is taken again — and, once the policy's HDFS data sets holding its data are copied and
 * verified, the secondary's metastore made to hold exactly that, every location on the secondary.
 * The table's data is never copied here: its directories are HDFS data sets of the same policy.
 */
import { HbackupError, PreflightError } from '../../errors.js';
import { ident } from '../../hive/sql.js';
import { readTables, shapeOf, syncStatements } from '../../hive/sync.js';
import type { DatasetKind, FlowContext } from '../kind.js';
import { type HivePlan, hiveOf, locateOn, noHive, planHive, readHeld, tableOf, tableProblem } from './plan.js';
import { type HiveRestore, planHiveRestore, restoreHive, verifyHiveRestore } from './restore.js';

/** The tables of the plans in one batch, without their partitions' locations: what the reads around the moment compare. */
const quickRead = (ctx: FlowContext, plans: HivePlan[]) =>
  readTables(
    hiveOf(ctx.primary),
    plans.map((p) => tableOf(p.spec.source)),
    { partitioned: plans.map((p) => p.table.partitionKeys.length > 0), locations: false },
  );

export const hiveKind: DatasetKind<HivePlan, HiveRestore> = {
  type: 'hive',
  afterData: true,

  spec: (entry) =>
    entry.hive === undefined ? undefined : { type: 'hive', source: entry.hive, target: (entry.target ?? entry.hive).toLowerCase() },

  // database.*: every table of the database on the primary but its views, each under the target database.
  async expand(primary, spec) {
    if (!spec.source.endsWith('.*')) return [spec];
    if (!primary.hive) throw new PreflightError([noHive(primary)]);
    const { database } = tableOf(spec.source);
    const [tables = [], views = []] = await primary.hive
      .run([`SHOW TABLES IN ${ident(database)}`, `SHOW VIEWS IN ${ident(database)}`])
      .catch((e: Error) => {
        throw new PreflightError([`${spec.source}: the tables of ${database} cannot be listed on ${primary.name}: ${e.message}`]);
      });
    const skip = new Set(views.map((r) => r[0]));
    const target = tableOf(spec.target).database;
    return tables
      .map((r) => r[0]!)
      .filter((t) => t && !skip.has(t))
      .sort()
      .map((t) => ({ type: 'hive' as const, source: `${database}.${t.toLowerCase()}`, target: `${target}.${t.toLowerCase()}` }));
  },

  async sourceProblem(primary, spec, deep) {
    if (!primary.hive) return noHive(primary);
    return deep ? tableProblem(primary, spec.source) : undefined;
  },

  // The secondary's metastore answers, and takes hbackup's login, before anything is changed (its
  // session stays open for the metadata's apply).
  async targetProblems(ctx) {
    if (!ctx.secondary.hive) return [noHive(ctx.secondary)];
    try {
      await ctx.secondary.hive.run(['SHOW DATABASES']);
      return [];
    } catch (e) {
      if (e instanceof HbackupError) return [e.message];
      throw e;
    }
  },

  plan: planHive,

  // The metadata has no snapshot of its own: the reads around the moment pin it (settle).
  moment: () => [],
  changes: (plan) => ({ copy: plan.statements }),

  arm: async (ctx, plans) => ({
    fire: async () =>
      plans.map(() => {
        const t = ctx.now().getTime();
        return { requestedAt: t, completedAt: t };
      }),
    close: async () => {},
  }),

  // Just before the snapshots: the tables as they stand now; one that changed since the plan is read whole again.
  async pin(ctx, plans) {
    const now = await quickRead(ctx, plans);
    for (const [i, p] of plans.entries()) {
      const t = now[i];
      if (t && shapeOf(t) === shapeOf(p.table)) continue;
      p.table = await readHeld(ctx, ctx.primary, p.spec.source, p.dirs, p.table.partitionKeys.length > 0);
    }
  },

  // Right after them: the same again, or the moment moved.
  async settle(ctx, plans) {
    const after = await quickRead(ctx, plans);
    const moved = plans.filter((p, i) => !after[i] || shapeOf(after[i]!) !== shapeOf(p.table));
    return moved.length
      ? `the metadata of ${moved.map((p) => p.spec.source).join(', ')} changed while the snapshots were taken`
      : undefined;
  },

  async copy(ctx, plan, update) {
    const started = ctx.now().getTime();
    const hive = hiveOf(ctx.secondary);
    const { database, table } = tableOf(plan.spec.target);
    update(`${plan.spec.source}: reading ${ctx.secondary.name}'s metastore`);
    const partitioned = [plan.table.partitionKeys.length > 0];
    // After a first copy the table is there: read it straight; else (or if it is gone) look first.
    const [now] = await (plan.mode === 'full'
      ? readTables(hive, [{ database, table }], { missingOk: true })
      : readTables(hive, [{ database, table }], { partitioned }).catch(() => readTables(hive, [{ database, table }], { missingOk: true })));
    const locate = locateOn(ctx, plan.dirs);
    const statements = syncStatements(plan.table, now, database, table, (l) => locate(l)!);
    if (statements.length) {
      update(`${plan.spec.source}: ${statements.length} statement(s) on ${ctx.secondary.name}'s metastore`);
      ctx.debug(`run: hive on ${ctx.secondary.name}: ${statements.join('; ')}`);
      await hive.run(statements);
    }
    return {
      mode: statements.length ? plan.mode : 'unchanged',
      bytesCopied: 0,
      filesCopied: 0,
      statements: statements.length,
      copyMs: ctx.now().getTime() - started,
      record: { table: plan.table, fs: ctx.primary.cluster.fs, dirs: plan.dirs },
    };
  },

  async verify(ctx, plan) {
    const { database, table } = tableOf(plan.spec.target);
    const [now] = await readTables(hiveOf(ctx.secondary), [{ database, table }], { partitioned: [plan.table.partitionKeys.length > 0] });
    const locate = locateOn(ctx, plan.dirs);
    const left = syncStatements(plan.table, now, database, table, (l) => locate(l)!);
    if (left.length) throw new HbackupError(`${plan.spec.target} on ${ctx.secondary.name}: the metastore does not match: ${left[0]}`);
    return { files: 0, directories: 0, bytes: 0, checksums: false, filesChecksummed: 0, partitions: plan.table.partitions.length };
  },

  snapshots: async () => [],
  deleteSnapshots: () => [],
  missing: async () => [],

  planRestore: planHiveRestore,
  restore: restoreHive,
  verifyRestore: verifyHiveRestore,
};
