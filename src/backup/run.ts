/**
 * One backup run of one service, step by step:
 * lock → preflight → clean up after a crashed run → snapshot every data set at the moment →
 * copy each from its snapshot → snapshot the targets → verify → catalog entry → retention.
 * A crash anywhere leaves the previous restore point intact; the catalog entry is written last.
 */
import { HbackupError, PreflightError } from '../errors.js';
import { writeRestorePoint, deleteRestorePoint, type DatasetRecord, type RestorePoint } from './catalog.js';
import type { BackupContext } from './context.js';
import { copyDataset, prepareTarget } from './copy.js';
import { acquireLock } from './lock.js';
import { momentOf, momentStamp, snapshotName } from './names.js';
import { preflight, type DatasetPlan } from './preflight.js';
import { planRetention, type RetentionPlan } from './retention.js';
import { verifyCopy } from './verify.js';

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
  const keep = (why: string) => !only || why === only;
  if (!only) {
    // Catalog entry first: a restore point disappears from the list before its snapshots go.
    for (const stamp of plan.deleteRestorePoints) await deleteRestorePoint(ctx.secondary.hdfs, ctx.rp.policy.service, stamp);
  }
  let n = 0;
  for (const s of plan.deleteTarget.filter((x) => keep(x.why))) {
    await ctx.secondary.hdfs.deleteSnapshot(s.dir, s.name);
    n++;
  }
  for (const s of plan.deleteSource.filter((x) => keep(x.why))) {
    await ctx.primary.hdfs.deleteSnapshot(s.dir, s.name);
    n++;
  }
  return n;
}

export async function runBackup(ctx: BackupContext): Promise<BackupReport> {
  const { policy } = ctx.rp;
  const { out, now } = ctx.deps;
  const started = now();
  const stamp = momentStamp(momentOf(started));
  const name = snapshotName(policy.service, stamp);
  const report: BackupReport = {
    service: policy.service,
    moment: `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
    result: 'failed',
    restorePoint: null,
    consistencyWindowMs: null,
    durationMs: 0,
    dryRun: ctx.opts.dryRun,
    datasets: [],
  };
  const lock = ctx.opts.dryRun ? undefined : acquireLock(policy.service, 'backup');
  if (lock?.takenOver) out.warn(`took over the lock of pid ${lock.takenOver.pid}, which no longer runs`);
  try {
    let step = out.step(`${policy.service}: preflight (${ctx.primary.cluster.name} → ${ctx.secondary.cluster.name})`);
    const facts = await preflight(ctx).catch((e) => {
      step.fail();
      throw e;
    });
    if (ctx.opts.noFallback) {
      const refused = facts.datasets.filter((d) => d.fallbackReason).map((d) => `${d.source}: ${d.fallbackReason}`);
      if (refused.length) {
        step.fail();
        throw new PreflightError(refused.map((r) => `${r}; --no-fallback forbids a full copy`));
      }
    }
    step.succeed(`${policy.service}: preflight ok; ${facts.previous ? `previous restore point ${facts.previous.snapshot}` : 'no restore point yet'}`);
    report.datasets = facts.datasets.map((d) => ({
      type: 'hdfs',
      source: d.source,
      target: d.target,
      mode: d.mode,
      reason: d.reason,
      ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
      bytesCopied: 0,
      filesCopied: 0,
    }));

    // What a crashed run left behind: snapshots without a catalog entry.
    const knownStamps = facts.restorePoints.map((r) => r.stamp);
    const before = await snapshotLists(ctx, facts.datasets);
    const orphans = planRetention({
      service: policy.service, restorePoints: knownStamps, sourceSnapshots: before.source, targetSnapshots: before.target,
      keepPrimary: policy.retention.primary, keepSecondary: policy.retention.secondary,
    });
    const cleaned = await applyRetention(ctx, orphans, 'orphan');
    if (cleaned) out.info(`${policy.service}: removed ${cleaned} snapshot(s) left by an interrupted run`);

    step = out.step(`${policy.service}: snapshot ${facts.datasets.length} data set(s) as ${name}`);
    const taken = await Promise.all(
      facts.datasets.map(async (d) => {
        await ctx.primary.hdfs.createSnapshot(d.source, name);
        return now().getTime();
      }),
    );
    const window = Math.max(...taken) - Math.min(...taken);
    report.consistencyWindowMs = window;
    step.succeed(`${policy.service}: ${facts.datasets.length} snapshot(s) ${name}, consistency window ${window} ms`);

    const records: DatasetRecord[] = [];
    for (const [i, plan] of facts.datasets.entries()) {
      const r = report.datasets[i]!;
      step = out.step(`${plan.source} → ${ctx.secondary.cluster.name}:${plan.target} (${plan.mode}${plan.fallbackReason ? `: ${plan.fallbackReason}` : ''})`);
      try {
        await prepareTarget(ctx, plan);
        const copied = await copyDataset(ctx, plan, name, (l) => out.debug(l));
        r.mode = copied.mode;
        if (copied.fallbackReason) r.fallbackReason = copied.fallbackReason;
        r.bytesCopied = copied.counters.bytesCopied;
        r.filesCopied = copied.counters.filesCopied;
        await ctx.secondary.hdfs.createSnapshot(plan.target, name);
        const checksums = ctx.opts.checksums || policy.verify.checksums;
        const v = ctx.opts.dryRun
          ? { ok: true, files: 0, directories: 0, bytes: 0, filesChecksummed: 0, problems: [] }
          : await verifyCopy(ctx.primary.hdfs, plan.source, ctx.secondary.hdfs, plan.target, name, checksums);
        if (!v.ok) throw new HbackupError(`${plan.target}: verification failed: ${v.problems.slice(0, 3).join('; ')}`);
        records.push({
          type: 'hdfs', source: plan.source, target: plan.target, snapshot: name,
          snapshotAt: new Date(taken[i]!).toISOString(), mode: copied.mode,
          ...(copied.fallbackReason ? { fallbackReason: copied.fallbackReason } : {}),
          bytesCopied: r.bytesCopied, filesCopied: r.filesCopied, files: v.files, directories: v.directories,
          bytes: v.bytes, copyMs: copied.copyMs,
          verification: { summary: 'ok', checksums: checksums ? 'ok' : 'skipped', filesChecksummed: v.filesChecksummed },
        });
        step.succeed(
          `${plan.source}: ${copied.mode}${copied.fallbackReason ? ` (${copied.fallbackReason})` : ''}, ` +
            `${r.filesCopied} file(s), ${r.bytesCopied} bytes copied; verified ${v.files} files, ${v.bytes} bytes${checksums ? ', checksums' : ''}`,
        );
      } catch (e) {
        step.fail();
        throw e;
      }
    }

    const rp: RestorePoint = {
      format: 1, service: policy.service, stamp, moment: report.moment, snapshot: name,
      primary: ctx.primary.cluster.name, secondary: ctx.secondary.cluster.name, initiator: policy.copy.initiator,
      consistencyWindowMs: window, durationMs: now().getTime() - started.getTime(),
      completedAt: now().toISOString(), datasets: records,
    };
    await writeRestorePoint(ctx.secondary.hdfs, rp);
    report.restorePoint = name;

    const after = await snapshotLists(ctx, facts.datasets);
    const retention = planRetention({
      service: policy.service, restorePoints: [...knownStamps, stamp], sourceSnapshots: after.source,
      targetSnapshots: after.target, keepPrimary: policy.retention.primary, keepSecondary: policy.retention.secondary,
      current: stamp,
    });
    const deleted = await applyRetention(ctx, retention);
    report.retention = { restorePointsDeleted: retention.deleteRestorePoints, snapshotsDeleted: deleted };
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
