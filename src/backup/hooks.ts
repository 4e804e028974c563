/**
 * The policy's quiesce hooks around the moment: `beforeSnapshot` commands pause what writes to the
 * service's data, `afterSnapshot` commands resume it as soon as the snapshots exist — before the
 * long copy. Each is an argument list run on this host, with the moment in its environment.
 */
import { HbackupError } from '../errors.js';
import type { BackupContext } from './context.js';

export type HookPhase = 'beforeSnapshot' | 'afterSnapshot';

/** Run one phase's commands in order; stop at the first that fails and say which. */
export async function runHooks(ctx: BackupContext, phase: HookPhase, snapshot: string, moment: string): Promise<void> {
  const { hooks, service } = ctx.rp.policy;
  for (const argv of hooks[phase]) {
    const r = await ctx.exec(
      { argv, env: { HBACKUP_SERVICE: service, HBACKUP_SNAPSHOT: snapshot, HBACKUP_MOMENT: moment, HBACKUP_PHASE: phase } },
      { timeoutMs: hooks.timeoutSeconds * 1000 },
    );
    if (r.exitCode !== 0) {
      const last = r.stderr.trim().split('\n').pop() ?? '';
      throw new HbackupError(
        `${phase} hook ${JSON.stringify(argv)} ${r.exitCode === undefined ? `ended (${r.signal ?? 'killed'})` : `exited with ${r.exitCode}`}${last ? `: ${last}` : ''}`,
      );
    }
  }
}
