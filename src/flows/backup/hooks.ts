/**
 * The policy's quiesce hooks around the moment: `beforeSnapshot` commands pause what writes to the
 * service's data, `afterSnapshot` commands resume it as soon as the snapshots exist — before the
 * long copy. Each is an argument list run on this host, with the moment in its environment.
 */

import { type Change, commandChange, runHookChanges } from '../../core/change.js';
import type { FlowContext } from '../../datasets/kind.js';

export type HookPhase = 'beforeSnapshot' | 'afterSnapshot';

/** One phase's commands as planned changes (run on this host). */
export function hookChanges(ctx: FlowContext, phase: HookPhase, snapshot: string, moment: string): Change[] {
  const env = { HBACKUP_SERVICE: ctx.service, HBACKUP_SNAPSHOT: snapshot, HBACKUP_MOMENT: moment, HBACKUP_PHASE: phase };
  return ctx.policy.hooks[phase].map((argv) => commandChange('local', { argv, env }));
}

/** Run one phase's commands in order; stop at the first that fails and say which. */
export const runHooks = (ctx: FlowContext, changes: Change[], phase: HookPhase): Promise<void> =>
  runHookChanges(ctx, changes, phase, ctx.policy.hooks.timeoutSeconds * 1000);
