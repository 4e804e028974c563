/**
 * Copying one HDFS directory from its snapshot: first the YARN jobs an interrupted run left writing
 * into the target are stopped; a touched target is rolled back; then no copy at all when nothing
 * changed, a small diff applied through WebHDFS (direct.ts), or DistCp run by the initiator site's
 * `hadoop` (a full copy, or an incremental `-diff`) — if DistCp refuses the diff, the full copy,
 * saying why (unless fallback is forbidden); then the target's snapshot.
 */

import { type Change, perform, run } from '../../core/change.js';
import { DISTCP_TAIL, diffRefusal, parseCounters } from '../../distcp/distcp.js';
import { causeLine, HbackupError, ToolError } from '../../errors.js';
import { difference, pairTrees } from '../../hdfs/compare.js';
import { snapshotPath } from '../../hdfs/paths.js';
import type { BackupContext, CopyResult } from '../kind.js';
import { applyDirect, planDirect } from './direct.js';
import { watchJob } from './jobs.js';
import { type HdfsPlan, rollbackOf, touchedLines } from './plan.js';

export async function copyHdfs(ctx: BackupContext, planned: HdfsPlan, update: (text: string) => void): Promise<CopyResult> {
  const started = ctx.now().getTime();
  const progress = (line: string) => {
    ctx.debug(line);
    const m = /mapreduce\.Job:\s+map (\d+)%/.exec(line);
    if (m) update(`${planned.spec.source}: copying, map ${m[1]}%`);
  };
  const distcp = async (change: Change) => {
    if (!('command' in change)) throw new Error('a DistCp change is a command');
    const r = await watchJob(
      ctx,
      ctx.initiator,
      planned.spec,
      update,
      run(ctx, change.command, { onStderrLine: progress, tail: DISTCP_TAIL }),
    );
    return { argv: change.command.argv, ...r, log: `${r.stdout}\n${r.stderr}` };
  };
  const plan = await stopOrphans(ctx, planned);
  for (const change of plan.prepare) await perform(ctx, change);

  let fallbackReason = plan.fallbackReason;
  let result: CopyResult | undefined;
  // Planned as unchanged (nothing had changed when it was planned): looked at again below, at the moment.
  let mode = plan.mode === 'unchanged' ? 'incremental' : plan.mode;
  let rolledBack: string[] | undefined;
  if (mode === 'incremental' && plan.rollback) {
    const refused = await rollBack(ctx, plan);
    if (refused) {
      if (ctx.options.noFallback) throw new HbackupError(`${plan.spec.target}: ${refused}; --no-fallback forbids a full copy`);
      fallbackReason = refused;
      ctx.progress.warn(`${plan.spec.target}: ${refused}; copying in full`);
      mode = 'full';
    } else rolledBack = plan.rollback.touched;
  }
  // Nothing changed on the source since the previous restore point, and the target equals it: no copy at all.
  const diff =
    mode === 'incremental' && plan.previousSnapshot
      ? await ctx.primary.hdfs.snapshotDiff(plan.spec.source, plan.previousSnapshot, plan.snapshot)
      : undefined;
  const limits = ctx.policy.copy.direct;
  let directRefused: string | undefined;
  if (diff && !diff.length) {
    result = { mode: 'unchanged', bytesCopied: 0, filesCopied: 0, copyMs: ctx.now().getTime() - started };
  } else if (diff && plan.zones) {
    directRefused = plan.zones.text;
  } else if (diff && limits !== 'off') {
    // A small diff: applied through WebHDFS, no job.
    const direct = await planDirect(ctx, plan.spec, plan.previousSnapshot!, plan.snapshot, diff, limits);
    if ('copy' in direct) {
      update(`${plan.spec.source}: copying ${direct.copy.fileCount} file(s) through WebHDFS`);
      await applyDirect(ctx, direct.copy, update, plan.spec.source);
      const { fileCount, bytes } = direct.copy;
      result = {
        mode: 'incremental',
        copiedBy: 'webhdfs',
        bytesCopied: bytes,
        filesCopied: fileCount,
        copyMs: ctx.now().getTime() - started,
      };
    } else directRefused = direct.refused;
  }
  if (!result && mode === 'incremental') {
    const r = await distcp(plan.copyCommand);
    if (r.exitCode === 0) {
      result = { mode: 'incremental', copiedBy: 'distcp', ...counts(r.log), copyMs: ctx.now().getTime() - started };
    } else {
      const refusal = diffRefusal(r.log);
      if (!refusal) throw new ToolError(r.argv, r.exitCode, r.stderr, 'see the DistCp log above; nothing was deleted');
      if (ctx.options.noFallback) {
        throw new HbackupError(`${plan.spec.source}: DistCp refused the incremental copy (${refusal}); --no-fallback forbids a full copy`);
      }
      fallbackReason = `DistCp refused the incremental copy: ${refusal}`;
      ctx.progress.warn(`${plan.spec.source}: ${fallbackReason}; copying in full`);
    }
  }
  if (!result) {
    const r = await distcp(plan.fullCopy);
    if (r.exitCode !== 0) throw new ToolError(r.argv, r.exitCode, r.stderr, 'see the DistCp log; the previous restore point is intact');
    result = {
      mode: 'full',
      copiedBy: 'distcp',
      ...(fallbackReason ? { fallbackReason } : {}),
      ...counts(r.log),
      copyMs: ctx.now().getTime() - started,
    };
  }
  await perform(ctx, plan.targetSnapshotChange);
  const stoppedJobs = plan.orphans.map((o) => `${o.app} on ${o.site}`);
  return {
    ...result,
    ...(directRefused ? { directRefused } : {}),
    ...(rolledBack ? { rolledBack } : {}),
    ...(stoppedJobs.length ? { stoppedJobs } : {}),
    ...(diff && result.mode !== 'full' ? { sourceDiff: diff } : {}),
  };
}

/**
 * Stop the jobs an interrupted run left writing into the target. They may have changed it since the
 * plan looked, so an incremental copy looks again at what changed there since the previous restore
 * point, and rolls that back first.
 */
async function stopOrphans(ctx: BackupContext, plan: HdfsPlan): Promise<HdfsPlan> {
  if (!plan.stop.length) return plan;
  for (const change of plan.stop) await perform(ctx, change);
  for (const o of plan.orphans)
    ctx.progress.warn(`${plan.spec.target}: stopped ${o.app} on ${o.site} (${o.name}, ${o.state} since ${o.startedAt})`);
  const prev = plan.previousSnapshot;
  if (plan.mode === 'full' || !prev) return plan;
  const changes = await ctx.secondary.hdfs.snapshotDiff(plan.spec.target, prev, '');
  if (!changes.length) return plan;
  return { ...plan, rollback: rollbackOf(ctx, plan.spec, plan.snapshot, prev, touchedLines(changes), Boolean(plan.zones)) };
}

/**
 * Roll a touched target back to the previous restore point: snapshot its state, `distcp -rdiff`,
 * drop that snapshot; once the directory is seen to equal the previous snapshot again, that snapshot
 * is taken anew over it (DistCp applies a diff only to a target unchanged since its `from`).
 * Returns why it could not, or undefined.
 */
async function rollBack(ctx: BackupContext, plan: HdfsPlan): Promise<string | undefined> {
  const [snapshot, rdiff, drop, dropPrevious, takePrevious] = plan.rollback!.changes as [Change, Change, Change, Change, Change];
  if (!('command' in rdiff)) throw new Error('the roll-back is a command');
  await perform(ctx, snapshot);
  let refusal: string | undefined;
  try {
    const r = await run(ctx, rdiff.command, { tail: DISTCP_TAIL });
    if (r.exitCode !== 0) refusal = `DistCp could not roll the target back to ${plan.previousSnapshot}${causeLine(r.stderr, ': ')}`;
  } finally {
    await perform(ctx, drop);
  }
  if (refusal) return refusal;
  const hdfs = ctx.secondary.hdfs;
  for await (const pair of pairTrees(hdfs, plan.spec.target, hdfs, snapshotPath(plan.spec.target, plan.previousSnapshot!))) {
    const differs = difference(pair, 'target', 'snapshot');
    if (differs) return `the target still differs from ${plan.previousSnapshot} after the roll-back (${differs})`;
  }
  await perform(ctx, dropPrevious);
  await perform(ctx, takePrevious);
  return undefined;
}

function counts(log: string) {
  const c = parseCounters(log);
  return { bytesCopied: c.bytesCopied, filesCopied: c.filesCopied };
}
