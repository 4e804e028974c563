/**
 * Preflight: everything read-only, ending in the plan — plain data naming every change the backup
 * will make, in order. Both sites answer, clocks agree, every data set can be snapshotted and
 * copied, the previous restore point and each data set's copy mode are decided, and what clean-up
 * and retention will delete is known. Any refusal stops the run before anything changes (exit 3).
 */
import { entryDelete, entryPath, entryWrites, type RestorePoint, readCatalog } from '../../catalog/catalog.js';
import { readClaims } from '../../catalog/claims.js';
import { type Change, httpChange } from '../../core/change.js';
import { planReplication, type ReplicationPlan } from '../../datasets/hbase/replication.js';
import { expandSpecs, kindOf, specsOf } from '../../datasets/index.js';
import type { BackupContext, DatasetPlan, DatasetSpec, OwnSnapshot, PlanFacts } from '../../datasets/kind.js';
import { PreflightError } from '../../errors.js';
import { ops } from '../../hdfs/requests.js';
import { isoMoment, momentOf, momentStamp, snapshotName } from '../../names/names.js';
import { missingTool, reach } from '../../sites/checks.js';
import { hookChanges } from './hooks.js';
import { planRetention } from './retention.js';

export interface BackupPlan {
  service: string;
  /** The moment (UTC, to the second), its stamp, and the snapshot name of this run. */
  moment: string;
  stamp: string;
  snapshot: string;
  primary: string;
  secondary: string;
  initiator: 'primary' | 'secondary';
  /** The newest restore point, which incremental copies start from. */
  previous: RestorePoint | undefined;
  clockSkewMs: Record<string, number>;
  /** What an interrupted run left (snapshots of no restore point, temporary catalog files): deleted before this run's snapshots. */
  cleanup: { snapshots: number; files: number; changes: Change[] };
  hooks: { before: Change[]; after: Change[] };
  datasets: DatasetPlan[];
  catalog: { path: string; changes: Change[] };
  /** Restore points and snapshots retention deletes, and its changes. */
  retention: { restorePoints: string[]; snapshots: number; changes: Change[] };
  /** The service's HBase replication (tables with `replication: true`): what this run sets up. */
  replication?: ReplicationPlan;
}

/**
 * The data sets' copies in the order a run makes them, each with its index in the plan: first the
 * data, then the kinds that follow it (a Hive table's metadata) once every copy before is verified.
 */
export function copyPhases(plan: BackupPlan): [number, DatasetPlan][][] {
  const entries = [...plan.datasets.entries()];
  const after = (d: DatasetPlan) => kindOf(d.spec.type).afterData === true;
  return [entries.filter(([, d]) => !after(d)), entries.filter(([, d]) => after(d))];
}

/** Every change of a plan with the step that makes it, in the order a real run makes them. */
export function plannedChanges(plan: BackupPlan): { step: string; change: Change }[] {
  const byKind = copyPhases(plan)
    .flat()
    .map(([, d]) => ({ d, changes: kindOf(d.spec.type).changes(d) }));
  const as = (step: string, changes: Change[]) => changes.map((change) => ({ step, change }));
  return [
    ...as('clean-up', plan.cleanup.changes),
    ...as('replication', plan.replication?.before ?? []),
    ...as('pause', plan.hooks.before),
    ...as('snapshot', momentChanges(plan)),
    ...as('resume', plan.hooks.after),
    ...byKind.flatMap(({ d, changes }) => as(`copy ${d.spec.source}`, changes.copy)),
    ...as('catalog', plan.catalog.changes),
    ...as('replication', plan.replication?.after ?? []),
    ...as('retention', plan.retention.changes),
  ];
}

/** The changes of the moment, kind by kind in the order the plan first names them, each batch as it is sent. */
export function momentChanges(plan: BackupPlan): Change[] {
  const types = [...new Set(plan.datasets.map((d) => d.spec.type))];
  return types.flatMap((type) => kindOf(type).moment(plan.datasets.filter((d) => d.spec.type === type)));
}

/** The plan as plain JSON, for --dry-run --json: each step's changes as they will be made. */
export function planView(plan: BackupPlan) {
  const texts = (changes: Change[]) => changes.map((c) => c.text);
  return {
    moment: plan.moment,
    snapshot: plan.snapshot,
    primary: plan.primary,
    secondary: plan.secondary,
    initiator: plan.initiator,
    previous: plan.previous?.snapshot ?? null,
    clockSkewMs: plan.clockSkewMs,
    cleanup: { snapshots: plan.cleanup.snapshots, files: plan.cleanup.files, changes: texts(plan.cleanup.changes) },
    hooks: { beforeSnapshot: texts(plan.hooks.before), afterSnapshot: texts(plan.hooks.after) },
    datasets: plan.datasets.map((d) => {
      const kind = kindOf(d.spec.type);
      // The change of the moment that snapshots this data set (for tables: the one line that takes them all).
      const moment = kind.moment(plan.datasets.filter((x) => x.spec.type === d.spec.type));
      const snapshot = d.spec.type === 'hdfs' ? kind.moment([d]) : moment;
      return { ...d.spec, mode: d.mode, reason: d.reason, snapshot: texts(snapshot), copy: texts(kind.changes(d).copy) };
    }),
    catalog: { entry: plan.catalog.path, changes: texts(plan.catalog.changes) },
    retention: { restorePoints: plan.retention.restorePoints, snapshots: plan.retention.snapshots, changes: texts(plan.retention.changes) },
    ...(plan.replication
      ? {
          replication: {
            peer: plan.replication.peer,
            tables: plan.replication.tables,
            bootstrap: plan.replication.bootstrap,
            reason: plan.replication.reason,
            beforeSnapshot: texts(plan.replication.before),
            afterCatalog: texts(plan.replication.after),
          },
        }
      : {}),
  };
}

/** This service's snapshots of each data set, on each side. */
async function ownSnapshots(ctx: BackupContext, specs: DatasetSpec[]) {
  const source: Record<string, OwnSnapshot[]> = {};
  const target: Record<string, OwnSnapshot[]> = {};
  for (const s of specs) {
    const kind = kindOf(s.type);
    source[s.source] = await kind.snapshots(ctx.primary, s, 'source', ctx.service);
    target[s.target] = await kind.snapshots(ctx.secondary, s, 'target', ctx.service);
  }
  return { source, target };
}

/**
 * This run's moment (to the second). A run that follows a restore point of the same second (a
 * failover's last backup right after a failback's) waits for the next second: the two would name
 * the same snapshots.
 */
async function momentAfter(ctx: BackupContext, newest: string | undefined): Promise<string> {
  let stamp = momentStamp(momentOf(ctx.now()));
  if (stamp !== newest) return stamp;
  await new Promise((r) => setTimeout(r, 1005 - (ctx.now().getTime() % 1000)));
  stamp = momentStamp(momentOf(ctx.now()));
  if (stamp === newest) throw new PreflightError([`${ctx.service} has a restore point of this second (${stamp}) already: run again`]);
  return stamp;
}

export async function planBackup(ctx: BackupContext): Promise<BackupPlan> {
  const { policy, primary, secondary } = ctx;

  const reasons: string[] = [];
  const maxSkewMs = policy.preflight.maxClockSkewSeconds * 1000;
  const clockSkewMs: Record<string, number> = {};
  for (const [site, role] of [
    [primary, 'primary'],
    [secondary, 'secondary'],
  ] as const) {
    const skew = await reach(site, role, ctx.now, maxSkewMs, reasons, (t) => ctx.progress.warn(t));
    if (skew !== undefined) clockSkewMs[site.name] = skew;
  }
  const missing = missingTool(ctx.initiator.cluster, 'hadoop');
  if (missing) reasons.push(missing);
  if (reasons.length) throw new PreflightError(reasons);

  const specs = await expandSpecs(primary, specsOf(policy.datasets));
  for (const spec of specs) {
    const problem = await kindOf(spec.type).sourceProblem(primary, spec);
    if (problem) reasons.push(problem);
  }
  const catalog = await readCatalog(secondary.hdfs, ctx.service);
  for (const u of catalog.unreadable) {
    ctx.progress.warn(
      `catalog entry ${u.path} on ${secondary.name} cannot be read (${u.reason}); it and its snapshots are kept: fix or remove it`,
    );
  }
  const facts: PlanFacts = {
    claims: await readClaims(secondary.hdfs),
    firstBackup: catalog.points.length === 0,
    targetsInCatalog: new Set(catalog.points.flatMap((p) => p.datasets.map((d) => d.target))),
  };
  for (const type of new Set(specs.map((s) => s.type))) {
    reasons.push(
      ...(await kindOf(type).targetProblems(
        ctx,
        specs.filter((s) => s.type === type),
        facts,
      )),
    );
  }
  if (reasons.length) throw new PreflightError(reasons);

  const previous = catalog.points[catalog.points.length - 1];
  const stamp = await momentAfter(ctx, previous?.stamp);
  const snapshot = snapshotName(ctx.service, stamp);
  const moment = isoMoment(stamp);
  const datasets: DatasetPlan[] = [];
  for (const spec of specs) {
    const record = previous?.datasets.find((r) => r.type === spec.type && r.source === spec.source && r.target === spec.target);
    datasets.push(await kindOf(spec.type).plan(ctx, spec, snapshot, record, facts));
  }
  const replication = ctx.options.noReplication ? undefined : await planReplication(ctx, snapshot);
  const refused = ctx.options.noFallback ? datasets.filter((d) => d.fallbackReason) : [];
  if (refused.length) {
    throw new PreflightError(refused.map((d) => `${d.spec.source}: ${d.fallbackReason}; --no-fallback forbids a full copy`));
  }

  const snaps = await ownSnapshots(ctx, specs);
  const points = catalog.points.map((p) => p.stamp);
  // Restore points the primary holds from a time it was the secondary (before a failover) are its
  // own catalog's: they are kept until it is the secondary again and takes them back.
  const held = await readCatalog(primary.hdfs, ctx.service);
  const retentionInput = {
    protect: [...catalog.unreadable, ...held.points, ...held.unreadable].map((u) => u.stamp),
    sourceSnapshots: snaps.source,
    targetSnapshots: snaps.target,
    keepPrimary: policy.retention.primary,
    keepSecondary: policy.retention.secondary,
    now: ctx.now(),
  };
  const orphans = planRetention({ ...retentionInput, restorePoints: points });
  // By retention time this run's snapshots exist on both sides.
  const withCurrent = (m: Record<string, OwnSnapshot[]>) =>
    Object.fromEntries(Object.entries(m).map(([location, own]) => [location, [...own, { name: snapshot, stamp }]]));
  const retained = planRetention({
    ...retentionInput,
    sourceSnapshots: withCurrent(snaps.source),
    targetSnapshots: withCurrent(snaps.target),
    restorePoints: [...points, stamp],
    current: stamp,
  });
  const kindAt = (side: 'source' | 'target', location: string) => kindOf(specs.find((s) => s[side] === location)!.type);
  /** Deletions batched per kind (one HBase shell for many snapshots): the secondary's first. */
  const deletions = (plan: typeof orphans, why: 'orphan' | 'retention') =>
    (['target', 'source'] as const).flatMap((side) => {
      const refs = (side === 'target' ? plan.deleteTarget : plan.deleteSource).filter((r) => r.why === why);
      const site = side === 'target' ? secondary : primary;
      const types = [...new Set(refs.map((r) => kindAt(side, r.location).type))];
      return types.flatMap((type) =>
        kindOf(type).deleteSnapshots(
          site,
          refs.filter((r) => kindAt(side, r.location).type === type),
        ),
      );
    });

  return {
    service: ctx.service,
    moment,
    stamp,
    snapshot,
    primary: primary.name,
    secondary: secondary.name,
    initiator: policy.copy.initiator,
    previous,
    clockSkewMs,
    cleanup: {
      snapshots: orphans.deleteSource.length + orphans.deleteTarget.length,
      files: catalog.temporary.length,
      changes: [...deletions(orphans, 'orphan'), ...catalog.temporary.map((p) => httpChange(secondary, ops.delete(p)))],
    },
    hooks: { before: hookChanges(ctx, 'beforeSnapshot', snapshot, moment), after: hookChanges(ctx, 'afterSnapshot', snapshot, moment) },
    datasets,
    catalog: { path: entryPath(ctx.service, stamp), changes: entryWrites(ctx.service, stamp).map((r) => httpChange(secondary, r)) },
    retention: {
      restorePoints: retained.deleteRestorePoints,
      snapshots: [...retained.deleteSource, ...retained.deleteTarget].filter((r) => r.why === 'retention').length,
      changes: [
        // A restore point leaves the catalog before its snapshots go.
        ...retained.deleteRestorePoints.map((s) => httpChange(secondary, entryDelete(ctx.service, s))),
        ...deletions(retained, 'retention'),
      ],
    },
    ...(replication ? { replication } : {}),
  };
}
