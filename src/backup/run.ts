/**
 * One backup run of one service, step by step:
 * lock → preflight → clean up after an interrupted run → snapshot every data set at the moment →
 * for each data set: copy from its snapshot, snapshot the target, verify → catalog entry → retention.
 * A crash anywhere leaves the previous restore point intact; the catalog entry is written last.
 */
import { HbackupError, PreflightError } from '../errors.js';
import { writeRestorePoint, deleteRestorePoint, type DatasetRecord, type RestorePoint } from './catalog.js';
import type { BackupContext } from './context.js';
import { copyDataset, prepareTarget } from './copy.js';
import { runHooks } from './hooks.js';
import { acquireLock } from './lock.js';
import { isoMoment, momentOf, momentStamp, snapshotName } from './names.js';
import { preflight, type DatasetPlan, type PreflightFacts } from './preflight.js';
import { planRetention, type RetentionPlan } from './retention.js';
import { verifyCopy, type VerifyResult } from './verify.js';

export interface DatasetReport {
  type: 'hdfs';
  source: string;
  target: string;
  mode: DatasetPlan['mode'];
  reason: string;
  fallbackReason?: string;
  bytesCopied: number;
  filesCopied: number;
}

export interface BackupReport {
  service: string;
  moment: string;
  result: 'ok' | 'failed';
  restorePoint: string | null;
  consistencyWindowMs: number | null;
  durationMs: number;
  dryRun: boolean;
  datasets: DatasetReport[];
  retention?: { restorePointsDeleted: string[]; snapshotsDeleted: number };
  planned?: string[];
  error?: string;
}

/** The snapshots of each source and target directory. */
async function snapshotLists(ctx: BackupContext, plans: DatasetPlan[]) {
  const source: Record<string, string[]> = {};
  const target: Record<string, string[]> = {};
  for (const p of plans) {
    source[p.source] = await ctx.primary.hdfs.listSnapshots(p.source);
    const tgt = await ctx.secondary.hdfs.getFileStatus(p.target);
    target[p.target] = tgt?.snapshotEnabled ? await ctx.secondary.hdfs.listSnapshots(p.target) : [];
  }
  return { source, target };
}

async function applyRetention(ctx: BackupContext, plan: RetentionPlan, only?: 'orphan'): Promise<number> {
  const selected = (why: string) => !only || why === only;
  if (!only) {
    // Catalog entry first: a restore point leaves the list before its snapshots go.
    for (const stamp of plan.deleteRestorePoints) await deleteRestorePoint(ctx.secondary.hdfs, ctx.rp.policy.service, stamp);
  }
  let n = 0;
  for (const s of plan.deleteTarget.filter((x) => selected(x.why))) {
    await ctx.secondary.hdfs.deleteSnapshot(s.dir, s.name);
    n++;
  }
  for (const s of plan.deleteSource.filter((x) => selected(x.why))) {
    await ctx.primary.hdfs.deleteSnapshot(s.dir, s.name);
    n++;
  }
  return n;
}

/** Step: remove what an interrupted run left behind — this service's snapshots without a catalog entry. */
async function cleanUpInterrupted(ctx: BackupContext, facts: PreflightFacts): Promise<void> {
  const { policy } = ctx.rp;
  const lists = await snapshotLists(ctx, facts.datasets);
  const plan = planRetention({
    service: policy.service, restorePoints: facts.restorePoints.map((r) => r.stamp),
    sourceSnapshots: lists.source, targetSnapshots: lists.target,
    keepPrimary: policy.retention.primary, keepSecondary: policy.retention.secondary,
  });
  const cleaned = await applyRetention(ctx, plan, 'orphan');
  if (cleaned) ctx.deps.out.info(`${policy.service}: removed ${cleaned} snapshot(s) left by an interrupted run`);
}

/**
 * Step: snapshot every data set at the moment, side by side, between the quiesce hooks; returns
 * when each snapshot was taken. The afterSnapshot hooks run whatever happened, once the
 * beforeSnapshot ones have begun: a paused service must not stay paused.
 */
async function snapshotAll(ctx: BackupContext, facts: PreflightFacts, name: string, moment: string): Promise<number[]> {
  const { out, now } = ctx.deps;
  const step = out.step(`${ctx.rp.policy.service}: snapshot ${facts.datasets.length} data set(s) as ${name}`);
  let taken: number[];
  try {
    await runHooks(ctx, 'beforeSnapshot', name, moment);
    taken = await Promise.all(
      facts.datasets.map(async (d) => {
        await ctx.primary.hdfs.createSnapshot(d.source, name);
        return now().getTime();
      }),
    );
  } catch (e) {
    step.fail();
    await runHooks(ctx, 'afterSnapshot', name, moment).catch((h: Error) => out.warn(h.message));
    throw e;
  }
  try {
    await runHooks(ctx, 'afterSnapshot', name, moment);
  } catch (e) {
    step.fail();
    throw e;
  }
  step.succeed(`${ctx.rp.policy.service}: ${taken.length} snapshot(s) ${name}, consistency window ${windowOf(taken)} ms`);
  return taken;
}

const windowOf = (times: number[]) => Math.max(...times) - Math.min(...times);

/** Step: copy one data set from its snapshot, snapshot the target under the same name, verify. */
async function backUpDataset(
  ctx: BackupContext,
  plan: DatasetPlan,
  name: string,
  snapshotAt: number,
  report: DatasetReport,
): Promise<DatasetRecord> {
  const { out } = ctx.deps;
  const checksums = ctx.opts.checksums || ctx.rp.policy.verify.checksums;
  const step = out.step(
    `${plan.source} → ${ctx.secondary.cluster.name}:${plan.target} (${plan.mode}${plan.fallbackReason ? `: ${plan.fallbackReason}` : ''})`,
  );
  try {
    await prepareTarget(ctx, plan);
    const copied = await copyDataset(ctx, plan, name, (l) => out.debug(l));
    Object.assign(report, {
      mode: copied.mode,
      bytesCopied: copied.counters.bytesCopied,
      filesCopied: copied.counters.filesCopied,
      ...(copied.fallbackReason ? { fallbackReason: copied.fallbackReason } : {}),
    });
    await ctx.secondary.hdfs.createSnapshot(plan.target, name);
    const v: VerifyResult = ctx.opts.dryRun
      ? { ok: true, files: 0, directories: 0, bytes: 0, filesChecksummed: 0, problems: [] }
      : await verifyCopy(ctx.primary.hdfs, plan.source, ctx.secondary.hdfs, plan.target, name, checksums);
    if (!v.ok) throw new HbackupError(`${plan.target}: verification failed: ${v.problems.slice(0, 3).join('; ')}`);
    step.succeed(
      `${plan.source}: ${copied.mode}${copied.fallbackReason ? ` (${copied.fallbackReason})` : ''}, ` +
        `${report.filesCopied} file(s), ${report.bytesCopied} bytes copied; verified ${v.files} files, ${v.bytes} bytes${checksums ? ', checksums' : ''}`,
    );
    return {
      type: 'hdfs', source: plan.source, target: plan.target, snapshot: name,
      snapshotAt: new Date(snapshotAt).toISOString(), mode: copied.mode,
      ...(copied.fallbackReason ? { fallbackReason: copied.fallbackReason } : {}),
      bytesCopied: report.bytesCopied, filesCopied: report.filesCopied,
      files: v.files, directories: v.directories, bytes: v.bytes, copyMs: copied.copyMs,
      verification: { summary: 'ok', checksums: checksums ? 'ok' : 'skipped', filesChecksummed: v.filesChecksummed },
    };
  } catch (e) {
    step.fail();
    throw e;
  }
}

/** Step: keep as many restore points as the policy says on each side. */
async function retain(ctx: BackupContext, facts: PreflightFacts, stamp: string) {
  const { policy } = ctx.rp;
  const lists = await snapshotLists(ctx, facts.datasets);
  const plan = planRetention({
    service: policy.service, restorePoints: [...facts.restorePoints.map((r) => r.stamp), stamp],
    sourceSnapshots: lists.source, targetSnapshots: lists.target,
    keepPrimary: policy.retention.primary, keepSecondary: policy.retention.secondary, current: stamp,
  });
  const deleted = await applyRetention(ctx, plan);
  return { restorePointsDeleted: plan.deleteRestorePoints, snapshotsDeleted: deleted };
}

export async function runBackup(ctx: BackupContext): Promise<BackupReport> {
  const { policy } = ctx.rp;
  const { out, now } = ctx.deps;
  const started = now();
  const stamp = momentStamp(momentOf(started));
  const name = snapshotName(policy.service, stamp);
  const report: BackupReport = {
    service: policy.service, moment: isoMoment(stamp), result: 'failed', restorePoint: null,
    consistencyWindowMs: null, durationMs: 0, dryRun: ctx.opts.dryRun, datasets: [],
  };
  const lock = ctx.opts.dryRun ? undefined : acquireLock(policy.service, 'backup');
  if (lock?.takenOver) out.warn(`took over the lock of pid ${lock.takenOver.pid}, which no longer runs`);
  try {
    const step = out.step(`${policy.service}: preflight (${ctx.primary.cluster.name} → ${ctx.secondary.cluster.name})`);
    const facts = await preflight(ctx).catch((e) => {
      step.fail();
      throw e;
    });
    const refused = ctx.opts.noFallback ? facts.datasets.filter((d) => d.fallbackReason) : [];
    if (refused.length) {
      step.fail();
      throw new PreflightError(refused.map((d) => `${d.source}: ${d.fallbackReason}; --no-fallback forbids a full copy`));
    }
    step.succeed(
      `${policy.service}: preflight ok; ${facts.previous ? `previous restore point ${facts.previous.snapshot}` : 'no restore point yet'}`,
    );
    report.datasets = facts.datasets.map((d) => ({
      type: 'hdfs', source: d.source, target: d.target, mode: d.mode, reason: d.reason,
      ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
      bytesCopied: 0, filesCopied: 0,
    }));

    await cleanUpInterrupted(ctx, facts);
    const taken = await snapshotAll(ctx, facts, name, report.moment);
    report.consistencyWindowMs = windowOf(taken);
    const records: DatasetRecord[] = [];
    for (const [i, plan] of facts.datasets.entries()) {
      records.push(await backUpDataset(ctx, plan, name, taken[i]!, report.datasets[i]!));
    }

    const rp: RestorePoint = {
      format: 1, service: policy.service, stamp, moment: report.moment, snapshot: name,
      primary: ctx.primary.cluster.name, secondary: ctx.secondary.cluster.name, initiator: policy.copy.initiator,
      consistencyWindowMs: report.consistencyWindowMs, durationMs: now().getTime() - started.getTime(),
      completedAt: now().toISOString(), datasets: records,
    };
    await writeRestorePoint(ctx.secondary.hdfs, rp);
    report.restorePoint = name;
    report.retention = await retain(ctx, facts, stamp);
    report.result = 'ok';
    return report;
  } catch (e) {
    report.error = (e as Error).message;
    throw Object.assign(e as Error, { report });
  } finally {
    report.durationMs = now().getTime() - started.getTime();
    if (ctx.opts.dryRun) report.planned = ctx.planned;
    lock?.release();
  }
}
