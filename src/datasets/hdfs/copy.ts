/**
 * Copying one HDFS directory from its snapshot with DistCp, run by the initiator site's `hadoop`:
 * the planned command (a full copy, or an incremental `-diff`); if DistCp refuses the diff, the
 * full copy, saying why (unless fallback is forbidden); then the target's snapshot.
 */

import { diffRefusal, parseCounters } from '../../distcp/distcp.js';
import { HbackupError, ToolError } from '../../errors.js';
import { type Change, perform, run } from '../../flow/change.js';
import type { CopyResult, FlowContext } from '../kind.js';
import type { HdfsPlan } from './plan.js';

async function distcp(ctx: FlowContext, change: Change, onLine: (l: string) => void) {
  if (!('command' in change)) throw new Error('a DistCp change is a command');
  const r = await run(ctx, change.command, { onStderrLine: onLine });
  return { argv: change.command.argv, ...r, log: `${r.stdout}\n${r.stderr}` };
}

export async function copyHdfs(ctx: FlowContext, plan: HdfsPlan, update: (text: string) => void): Promise<CopyResult> {
  const started = ctx.now().getTime();
  const progress = (line: string) => {
    ctx.debug(line);
    const m = /mapreduce\.Job:\s+map (\d+)%/.exec(line);
    if (m) update(`${plan.spec.source}: copying, map ${m[1]}%`);
  };
  for (const change of plan.prepare) await perform(ctx, change);

  let fallbackReason = plan.fallbackReason;
  let result: CopyResult | undefined;
  if (plan.mode === 'incremental') {
    const r = await distcp(ctx, plan.copyCommand, progress);
    if (r.exitCode === 0) {
      result = { mode: 'incremental', ...counts(r.log), copyMs: ctx.now().getTime() - started };
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
    const r = await distcp(ctx, plan.fullCopy, progress);
    if (r.exitCode !== 0) throw new ToolError(r.argv, r.exitCode, r.stderr, 'see the DistCp log; the previous restore point is intact');
    result = {
      mode: 'full',
      ...(fallbackReason ? { fallbackReason } : {}),
      ...counts(r.log),
      copyMs: ctx.now().getTime() - started,
    };
  }
  await perform(ctx, plan.targetSnapshotChange);
  return result;
}

function counts(log: string) {
  const c = parseCounters(log);
  return { bytesCopied: c.bytesCopied, filesCopied: c.filesCopied };
}
