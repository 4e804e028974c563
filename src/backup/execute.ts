/**
 * Walking a backup plan, step by step:
 * clean up after an interrupted run → snapshot every data set at the moment (between the quiesce
 * hooks) → for each data set: copy from its snapshot, snapshot the copy, verify → catalog entry →
 * retention. A failure anywhere leaves the previous restore point intact: the catalog entry is
 * written only after everything before it succeeded.
 */
import { type DatasetRecord, type RestorePoint, writeRestorePoint } from '../catalog/catalog.js';
import { kindOf } from '../datasets/index.js';
import type { DatasetPlan, FlowContext, SnapshotTiming } from '../datasets/kind.js';
import { perform } from '../flow/change.js';
import { runHooks } from './hooks.js';
import type { BackupPlan } from './plan.js';
import type { BackupReport } from './report.js';

/** The consistency window: from the first snapshot asked for to the last one taken. */
const windowOf = (t: SnapshotTiming[]) => Math.max(...t.map((x) => x.completedAt)) - Math.min(...t.map((x) => x.requestedAt));

/** Snapshot every data set, each kind firing all of its snapshots at once; timings in plan order. */
async function snapshotAll(ctx: FlowContext, plans: DatasetPlan[]): Promise<SnapshotTiming[]> {
  const timings: SnapshotTiming[] = new Array(plans.length);
  const types = [...new Set(plans.map((p) => p.spec.type))];
  await Promise.all(
    types.map(async (type) => {
      const indexes = plans.flatMap((p, i) => (p.spec.type === type ? [i] : []));
      const got = await kindOf(type).snapshot(
        ctx,
        indexes.map((i) => plans[i]!),
      );
      indexes.forEach((i, j) => {
        timings[i] = got[j]!;
      });
    }),
  );
  return timings;
}

/**
 * The snapshots at the moment, between the quiesce hooks. The afterSnapshot hooks run whatever
 * happened once the beforeSnapshot ones have begun: a paused service must not stay paused.
 */
async function moment(ctx: FlowContext, plan: BackupPlan): Promise<SnapshotTiming[]> {
  let timings: SnapshotTiming[];
  try {
    await runHooks(ctx, plan.hooks.before, 'beforeSnapshot');
    timings = await snapshotAll(ctx, plan.datasets);
  } catch (e) {
    await runHooks(ctx, plan.hooks.after, 'afterSnapshot').catch((h: Error) => ctx.progress.warn(h.message));
    throw e;
  }
  await runHooks(ctx, plan.hooks.after, 'afterSnapshot');
  return timings;
}

export async function executeBackup(ctx: FlowContext, plan: BackupPlan, report: BackupReport, started: number): Promise<void> {
  const { progress, now, service } = ctx;
  if (plan.cleanup.length) {
    await progress.step(
      `${service}: remove ${plan.cleanup.length} snapshot(s) left by an interrupted run`,
      async () => {
        for (const c of plan.cleanup) await perform(ctx, c);
      },
      () => `${service}: removed ${plan.cleanup.length} snapshot(s) left by an interrupted run`,
    );
  }

  const timings = await progress.step(
    `${service}: snapshot ${plan.datasets.length} data set(s) as ${plan.snapshot}`,
    () => moment(ctx, plan),
    (t) => `${service}: ${t.length} snapshot(s) ${plan.snapshot}, consistency window ${windowOf(t)} ms`,
  );
  report.consistencyWindowMs = windowOf(timings);

  const records: DatasetRecord[] = [];
  for (const [i, d] of plan.datasets.entries()) {
    const kind = kindOf(d.spec.type);
    const r = report.datasets[i]!;
    const how = `${d.mode}${d.fallbackReason ? `: ${d.fallbackReason}` : ''}`;
    await progress.step(
      `${d.spec.source} → ${plan.secondary}:${d.spec.target} (${how})`,
      async (update) => {
        const copied = await kind.copy(ctx, d, update);
        Object.assign(r, { mode: copied.mode, bytesCopied: copied.bytesCopied, filesCopied: copied.filesCopied });
        if (copied.fallbackReason) r.fallbackReason = copied.fallbackReason;
        update(`${d.spec.source}: verifying`);
        const v = await kind.verify(ctx, d);
        r.verified = { files: v.files, bytes: v.bytes, checksums: v.checksums };
        records.push({
          type: d.spec.type,
          source: d.spec.source,
          target: d.spec.target,
          snapshot: d.snapshot,
          snapshotAt: new Date(timings[i]!.completedAt).toISOString(),
          mode: copied.mode,
          ...(copied.fallbackReason ? { fallbackReason: copied.fallbackReason } : {}),
          bytesCopied: copied.bytesCopied,
          filesCopied: copied.filesCopied,
          files: v.files,
          directories: v.directories,
          bytes: v.bytes,
          copyMs: copied.copyMs,
          verification: { summary: 'ok', checksums: v.checksums ? 'ok' : 'skipped', filesChecksummed: v.filesChecksummed },
        });
      },
      () =>
        `${d.spec.source}: ${r.mode}${r.fallbackReason ? ` (${r.fallbackReason})` : ''}, ${r.filesCopied} file(s), ${r.bytesCopied} bytes copied; ` +
        `verified ${r.verified!.files} files, ${r.verified!.bytes} bytes${r.verified!.checksums ? ', checksums' : ''}`,
    );
  }

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

  if (plan.retention.changes.length) {
    await progress.step(
      `${service}: retention (${ctx.policy.retention.primary} on ${plan.primary}, ${ctx.policy.retention.secondary} on ${plan.secondary})`,
      async () => {
        for (const c of plan.retention.changes) await perform(ctx, c);
      },
    );
  }
  const snapshotsDeleted = plan.retention.changes.length - plan.retention.restorePoints.length;
  report.retention = { restorePointsDeleted: plan.retention.restorePoints, snapshotsDeleted };
}
