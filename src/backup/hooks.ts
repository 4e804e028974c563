/**
 * The policy's quiesce hooks around the moment: `beforeSnapshot` commands pause what writes to the
 * service's data, `afterSnapshot` commands resume it as soon as the snapshots exist — before the
 * long copy. Each is an argument list run on this host, with the moment in its environment.
 */

import type { FlowContext } from '../datasets/kind.js';
import { HbackupError, lastLine } from '../errors.js';
import { type Change, commandChange, run } from '../flow/change.js';

export type HookPhase = 'beforeSnapshot' | 'afterSnapshot';

/** One phase's commands as planned changes (run on this host). */
export function hookChanges(ctx: FlowContext, phase: HookPhase, snapshot: string, moment: string): Change[] {
  const env = { HBACKUP_SERVICE: ctx.service, HBACKUP_SNAPSHOT: snapshot, HBACKUP_MOMENT: moment, HBACKUP_PHASE: phase };
  return ctx.policy.hooks[phase].map((argv) => commandChange('local', { argv, env }));
}

/** Run one phase's commands in order; stop at the first that fails and say which. */
export async function runHooks(ctx: FlowContext, changes: Change[], phase: HookPhase): Promise<void> {
  for (const change of changes) {
    if (!('command' in change)) continue;
    const r = await run(ctx, change.command, { timeoutMs: ctx.policy.hooks.timeoutSeconds * 1000 });
    if (r.exitCode !== 0) {
      const how = r.exitCode === undefined ? `ended (${r.signal ?? 'killed'})` : `exited with ${r.exitCode}`;
      throw new HbackupError(`${phase} hook ${JSON.stringify(change.command.argv)} ${how}${lastLine(r.stderr, ': ')}`);
    }
  }
}
