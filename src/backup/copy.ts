/**
 * Copying one data set from its snapshot with DistCp, run by the initiator site's `hadoop`:
 * a full copy the first time, an incremental `-diff` after; if DistCp refuses the diff, a full
 * copy, saying why (unless fallback is forbidden).
 */
import { HbackupError, ToolError } from '../errors.js';
import { diffCopyArgs, diffRefusal, fsUri, fullCopyArgs, parseCounters, type DistCpCounters } from '../distcp/distcp.js';
import { snapshotPath } from '../hdfs/paths.js';
import { claimTarget } from './claims.js';
import { toolCommand, type BackupContext } from './context.js';
import type { DatasetPlan } from './preflight.js';

export interface CopyOutcome {
  mode: DatasetPlan['mode'];
  fallbackReason?: string;
  counters: DistCpCounters;
  copyMs: number;
}

/** Before the first copy into a target: claim it for the service, create it, allow its snapshots. */
export async function prepareTarget(ctx: BackupContext, plan: DatasetPlan): Promise<void> {
  const dst = ctx.secondary.hdfs;
  if (!plan.targetClaimed) await claimTarget(dst, ctx.rp.policy.service, plan.target);
  if (!plan.targetExists) await dst.mkdirs(plan.target);
  if (!plan.targetSnapshottable) await dst.allowSnapshot(plan.target);
}

async function distcp(ctx: BackupContext, args: string[], onLine: (l: string) => void) {
  const initiator = ctx.rp.policy.copy.initiator === 'primary' ? ctx.primary : ctx.secondary;
  const cmd = toolCommand(initiator.cluster, 'hadoop', args);
  const r = await ctx.exec(cmd, { onStderrLine: onLine });
  return { cmd, ...r, log: `${r.stdout}\n${r.stderr}` };
}

export async function copyDataset(
  ctx: BackupContext,
  plan: DatasetPlan,
  snapshot: string,
  progress: (line: string) => void,
): Promise<CopyOutcome> {
  const { policy } = ctx.rp;
  const tuning = { mappers: policy.copy.mappers, bandwidthMBps: policy.copy.bandwidthMBps };
  const srcFs = ctx.primary.cluster.fs;
  const dstFs = ctx.secondary.cluster.fs;
  const started = ctx.deps.now().getTime();
  let fallbackReason = plan.fallbackReason;

  if (plan.mode === 'incremental' && plan.previousSnapshot) {
    const args = diffCopyArgs(fsUri(srcFs, plan.source), fsUri(dstFs, plan.target), plan.previousSnapshot, snapshot, tuning);
    const r = await distcp(ctx, args, progress);
    if (r.exitCode === 0) {
      return { mode: 'incremental', counters: parseCounters(r.log), copyMs: ctx.deps.now().getTime() - started };
    }
    const refusal = diffRefusal(r.log);
    if (!refusal) throw new ToolError(r.cmd.argv, r.exitCode, r.stderr, 'see the DistCp log above; nothing was deleted');
    if (ctx.opts.noFallback) {
      throw new HbackupError(`${plan.source}: DistCp refused the incremental copy (${refusal}); --no-fallback forbids a full copy`);
    }
    fallbackReason = `DistCp refused the incremental copy: ${refusal}`;
  }

  const args = fullCopyArgs(fsUri(srcFs, snapshotPath(plan.source, snapshot)), fsUri(dstFs, plan.target), tuning);
  const r = await distcp(ctx, args, progress);
  if (r.exitCode !== 0) throw new ToolError(r.cmd.argv, r.exitCode, r.stderr, 'see the DistCp log; the previous restore point is intact');
  return {
    mode: 'full',
    ...(fallbackReason ? { fallbackReason } : {}),
    counters: parseCounters(r.log),
    copyMs: ctx.deps.now().getTime() - started,
  };
}
