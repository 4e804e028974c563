/**
 * Walking a backup plan, step by step:
 * clean up after an interrupted run → snapshot every data set at the moment (between the quiesce
 * hooks) → for each data set: copy from its snapshot, snapshot the copy, verify → catalog entry →
 * retention. A failure anywhere leaves the previous restore point intact: the catalog entry is
 * written only after everything before it succeeded.
 */

import { type DatasetRecord, type RestorePoint, writeRestorePoint } from '../../catalog/catalog.js';
import { perform } from '../../core/change.js';
import { eachLimited } from '../../core/limit.js';
import { kindOf } from '../../datasets/index.js';
import type { BackupContext, SnapshotTiming } from '../../datasets/kind.js';
import { MomentMovedError } from '../../errors.js';
import { runHooks } from './hooks.js';
import { type BackupPlan, copyPhases } from './plan.js';
import { type BackupReport, copiedLine } from './report.js';
import { describeKeep } from './thinning.js';

/**
 * The consistency window: from the first snapshot asked for (by an earlier capture that had to be
 * taken again, `since`) to the last one taken.
 */
const windowOf = (t: SnapshotTiming[], since = Number.POSITIVE_INFINITY) =>
  Math.max(...t.map((x) => x.completedAt)) - Math.min(since, ...t.map((x) => x.requestedAt));

/**
 * The snapshots at the moment. Each kind first gets ready (the HBase shell starts and connects),
 * then the beforeSnapshot hooks pause the writers, every snapshot of every kind is fired at once,
 * and the afterSnapshot hooks resume the writers — whatever happened once the pause had begun: a
 * paused service must not stay paused. Timings come back in plan order.
 */
async function moment(ctx: BackupContext, plan: BackupPlan): Promise<SnapshotTiming[]> {
  const types = [...new Set(plan.datasets.map((p) => p.spec.type))];
  const groups = types.map((type) => plan.datasets.flatMap((p, i) => (p.spec.type === type ? [i] : [])));
  const armed = await Promise.allSettled(
    types.map((type, k) =>
      kindOf(type).arm(
        ctx,
        groups[k]!.map((i) => plan.datasets[i]!),
      ),
    ),
  );
  const triggers = armed.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  try {
    const failed = armed.find((a) => a.status === 'rejected');
    if (failed) throw failed.reason;
    let timings: SnapshotTiming[];
    try {
      await runHooks(ctx, plan.hooks.before, 'beforeSnapshot');
      for (const [k, type] of types.entries()) {
        await kindOf(type).pin?.(
          ctx,
          groups[k]!.map((i) => plan.datasets[i]!),
        );
      }
      const fired = await Promise.all(triggers.map((t) => t.fire()));
      timings = new Array(plan.datasets.length);
      groups.forEach((indexes, k) => {
        indexes.forEach((i, j) => {
          timings[i] = fired[k]![j]!;
        });
      });
    } catch (e) {
      await runHooks(ctx, plan.hooks.after, 'afterSnapshot').catch((h: Error) => ctx.progress.warn(h.message));
      throw e;
    }
    await runHooks(ctx, plan.hooks.after, 'afterSnapshot');
    // What was captured must still stand (a Hive table's metadata, read again): else the moment moved.
    for (const [k, type] of types.entries()) {
      const moved = await kindOf(type).settle?.(
        ctx,
        groups[k]!.map((i) => plan.datasets[i]!),
      );
      if (moved) throw new MomentMovedError(`${plan.service}: ${moved}`, Math.min(...timings.map((t) => t.requestedAt)));
    }
    return timings;
  } finally {
    await Promise.all(triggers.map((t) => t.close().catch((e: Error) => ctx.progress.warn(e.message))));
  }
}

/** What a clean-up removes, in words. */
const left = (c: BackupPlan['cleanup']) =>
  [c.snapshots && `${c.snapshots} snapshot(s)`, c.files && `${c.files} temporary catalog file(s)`].filter(Boolean).join(' and ');

export async function executeBackup(
  ctx: BackupContext,
  plan: BackupPlan,
  report: BackupReport,
  started: number,
  since?: number,
): Promise<void> {
  const { progress, now, service } = ctx;
  const { cleanup } = plan;
  let mark = now().getTime();
  report.phasesMs = { plan: mark - started };
  const phases = report.phasesMs;
  /** The time since the previous phase ended. */
  const lap = () => {
    const t = now().getTime();
    const ms = t - mark;
    mark = t;
    return ms;
  };
  if (cleanup.changes.length) {
    await progress.step(
      `${service}: remove ${left(cleanup)} left by an interrupted run`,
      async () => {
        for (const c of cleanup.changes) await perform(ctx, c);
      },
      () => `${service}: removed ${left(cleanup)} left by an interrupted run`,
    );
    phases.cleanup = lap();
  }

  const replication = plan.replication;
  if (replication?.before.length) {
    await progress.step(
      `${service}: replication peer ${replication.peer}: ${replication.reason}`,
      async () => {
        for (const c of replication.before) await perform(ctx, c);
      },
      () => `${service}: replication peer ${replication.peer} holds the edits of ${replication.bootstrap.join(', ')} from now on`,
    );
    phases.replication = lap();
  }

  const timings = await progress.step(
    `${service}: snapshot ${plan.datasets.length} data set(s) as ${plan.snapshot}`,
    () => moment(ctx, plan),
    (t) => `${service}: ${t.length} snapshot(s) ${plan.snapshot}, consistency window ${windowOf(t, since)} ms`,
  );
  phases.snapshots = lap();
  report.consistencyWindowMs = windowOf(timings, since);
  timings.forEach((t, i) => {
    Object.assign(report.datasets[i]!, {
      snapshotRequestedAt: new Date(t.requestedAt).toISOString(),
      snapshotCompletedAt: new Date(t.completedAt).toISOString(),
    });
  });

  // Data sets are copied side by side, at most copy.parallel at a time; each keeps its own report,
  // and every copy under way ends before a failure is reported (none is left running unseen).
  const records: DatasetRecord[] = new Array(plan.datasets.length);
  const failures: unknown[] = [];
  // The data first; then what follows it (a Hive table's metadata), one at a time: two statements
  // creating one database at once collide in the metastore.
  for (const [k, group] of copyPhases(plan).entries())
    await eachLimited(group, k ? 1 : ctx.policy.copy.parallel, async ([i, d]) => {
      if (failures.length) return;
      const kind = kindOf(d.spec.type);
      const r = report.datasets[i]!;
      const how = `${d.mode}${d.fallbackReason ? `: ${d.fallbackReason}` : ''}`;
      await progress
        .step(
          `${d.spec.source} → ${plan.secondary}:${d.spec.target} (${how})`,
          async (update) => {
            const copied = await kind.copy(ctx, d, update);
            Object.assign(r, { mode: copied.mode, bytesCopied: copied.bytesCopied, filesCopied: copied.filesCopied });
            if (copied.mode === 'unchanged' && d.mode !== 'unchanged')
              r.reason = 'nothing changed since the previous restore point: no copy';
            if (copied.rolledBack) r.rolledBack = copied.rolledBack;
            if (copied.stoppedJobs) r.stoppedJobs = copied.stoppedJobs;
            if (copied.bytesSkipped !== undefined)
              Object.assign(r, { bytesSkipped: copied.bytesSkipped, filesSkipped: copied.filesSkipped });
            if (copied.fallbackReason) r.fallbackReason = copied.fallbackReason;
            if (copied.copiedBy) r.copiedBy = copied.copiedBy;
            if (copied.directRefused) r.directRefused = copied.directRefused;
            if (copied.statements !== undefined) r.statements = copied.statements;
            update(`${d.spec.source}: verifying`);
            const verifyStart = ctx.now().getTime();
            const v = await kind.verify(ctx, d, copied);
            r.verified = {
              files: v.files,
              bytes: v.bytes,
              checksums: v.checksums,
              ...(v.checksumsSkipped ? { checksumsSkipped: v.checksumsSkipped } : {}),
              ...(v.partitions !== undefined ? { partitions: v.partitions } : {}),
              ms: ctx.now().getTime() - verifyStart,
            };
            r.copyMs = copied.copyMs;
            records[i] = {
              type: d.spec.type,
              source: d.spec.source,
              target: d.spec.target,
              snapshot: d.snapshot,
              snapshotAt: new Date(timings[i]!.completedAt).toISOString(),
              snapshotRequestedAt: new Date(timings[i]!.requestedAt).toISOString(),
              mode: copied.mode,
              ...(copied.copiedBy ? { copiedBy: copied.copiedBy } : {}),
              ...(copied.directRefused ? { directRefused: copied.directRefused } : {}),
              ...(copied.fallbackReason ? { fallbackReason: copied.fallbackReason } : {}),
              bytesCopied: copied.bytesCopied,
              filesCopied: copied.filesCopied,
              ...(copied.bytesSkipped !== undefined ? { bytesSkipped: copied.bytesSkipped, filesSkipped: copied.filesSkipped } : {}),
              files: v.files,
              directories: v.directories,
              bytes: v.bytes,
              copyMs: copied.copyMs,
              verification: {
                summary: 'ok',
                checksums: v.checksums ? 'ok' : 'skipped',
                filesChecksummed: v.filesChecksummed,
                ...(v.digest ? { digest: v.digest } : {}),
                ...(v.scope ? { scope: v.scope } : {}),
              },
              ...(copied.rolledBack ? { rolledBack: copied.rolledBack } : {}),
              ...(copied.stoppedJobs ? { stoppedJobs: copied.stoppedJobs } : {}),
              ...(copied.statements !== undefined ? { statements: copied.statements } : {}),
              ...copied.record,
            };
          },
          () => copiedLine(d.spec.source, r),
        )
        .catch((e: unknown) => {
          failures.push(e);
        });
    });
  phases.copies = lap();
  if (failures.length) throw failures[0];

  const entry: RestorePoint = {
    format: 1,
    service,
    stamp: plan.stamp,
    moment: plan.moment,
    snapshot: plan.snapshot,
    primary: plan.primary,
    secondary: plan.secondary,
    initiator: plan.initiator,
    consistencyWindowMs: report.consistencyWindowMs,
    durationMs: now().getTime() - started,
    completedAt: now().toISOString(),
    datasets: records,
  };
  await progress.step(
    `${service}: record restore point ${plan.snapshot}`,
    () => writeRestorePoint(ctx.secondary.hdfs, entry),
    (path) => `${service}: recorded restore point ${plan.snapshot} (${plan.secondary}:${path})`,
  );
  report.restorePoint = plan.snapshot;
  phases.catalog = lap();

  if (replication) {
    if (replication.after.length) {
      await progress.step(
        `${service}: replicas of ${replication.bootstrap.join(', ') || 'the service'} on ${plan.secondary}, peer ${replication.peer} enabled`,
        async () => {
          for (const c of replication.after) await perform(ctx, c);
        },
      );
      phases.replication = (phases.replication ?? 0) + lap();
    }
    report.replication = {
      peer: replication.peer,
      tables: replication.tables,
      bootstrapped: replication.bootstrap,
      reason: replication.reason,
    };
  }

  if (plan.retention.changes.length) {
    await progress.step(
      `${service}: retention (${describeKeep(ctx.policy.retention.primary)} on ${plan.primary}, ${describeKeep(ctx.policy.retention.secondary)} on ${plan.secondary})`,
      async () => {
        for (const c of plan.retention.changes) await perform(ctx, c);
      },
    );
    phases.retention = lap();
  }
  report.retention = { restorePointsDeleted: plan.retention.restorePoints, snapshotsDeleted: plan.retention.snapshots };
}
