/**
 * One backup of one service: lock → plan (preflight, read-only) → execute → report. A dry run stops
 * after the plan and reports it. Whatever happens, the service ends with a typed outcome and a
 * report; nothing here exits or prints results.
 */
import type { ResolvedPolicy } from '../../config/load.js';
import { type BackupContext, type CopyOptions, type FlowIo, openFlow, siteOf } from '../../core/context.js';
import { runFlow } from '../../core/run.js';
import { MomentMovedError } from '../../errors.js';
import { acquireLock, type Lock } from '../../lock/lock.js';
import { currentRoles } from '../../sites/roles.js';
import { executeBackup } from './execute.js';
import { planBackup, plannedChanges, planView } from './plan.js';
import type { BackupReport } from './report.js';

export interface BackupOptions extends CopyOptions {
  dryRun: boolean;
}

export async function backupService(rp: ResolvedPolicy, options: BackupOptions, io: FlowIo): Promise<BackupReport> {
  const { service } = rp.policy;
  const started = io.now().getTime();
  const report: BackupReport = {
    service,
    ...(rp.policy.schedule ? { schedule: rp.policy.schedule } : {}),
    moment: null,
    result: 'failed',
    restorePoint: null,
    consistencyWindowMs: null,
    durationMs: 0,
    dryRun: options.dryRun,
    datasets: [],
  };
  let lock: Lock | undefined;
  await runFlow(report, io, async () => {
    const roles = await currentRoles(rp, (c) => siteOf(c, io));
    const ctx: BackupContext = { ...openFlow(rp, roles, io), options };
    // A dry run changes nothing, so it needs no lock and never waits for one.
    if (!options.dryRun) {
      lock = acquireLock(service, 'backup', io.stateDir);
      if (lock.takenOver) {
        const t = lock.takenOver;
        io.progress.warn(
          t.pid ? `took over the lock of pid ${t.pid}, which no longer runs` : `took over an empty lock file left since ${t.startedAt}`,
        );
      }
    }
    // A capture whose metadata moved while it was taken (a Hive DDL) is taken again, a few times at
    // most: each attempt plans afresh, and its clean-up removes the snapshots the last one left.
    let since: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptBackup(ctx, rp, options, io, report, started, since);
      } catch (e) {
        if (!(e instanceof MomentMovedError) || attempt >= MAX_CAPTURES || options.dryRun) throw e;
        since = Math.min(since ?? e.since, e.since);
        report.captures = attempt + 1;
        io.progress.warn(`${e.message}: taking the moment again (${attempt + 1} of at most ${MAX_CAPTURES})`);
      }
    }
  }).finally(() => lock?.release());
  return report;
}

/** How often a moment is taken at most when what it captured keeps moving. */
const MAX_CAPTURES = 5;

async function attemptBackup(
  ctx: BackupContext,
  rp: ResolvedPolicy,
  options: BackupOptions,
  io: FlowIo,
  report: BackupReport,
  started: number,
  since: number | undefined,
): Promise<'ok' | 'planned'> {
  const { service } = rp.policy;
  const plan = await io.progress.step(
    `${service}: preflight (${ctx.primary.name} → ${ctx.secondary.name})`,
    () => planBackup(ctx),
    (p) => `${service}: preflight ok; ${p.previous ? `previous restore point ${p.previous.snapshot}` : 'no restore point yet'}`,
  );
  report.moment = plan.moment;
  report.datasets = plan.datasets.map((d) => ({
    type: d.spec.type,
    source: d.spec.source,
    target: d.spec.target,
    mode: d.mode,
    reason: d.reason,
    ...(d.fallbackReason ? { fallbackReason: d.fallbackReason } : {}),
  }));
  if (options.dryRun) {
    report.planned = plannedChanges(plan).map((c) => ({ step: c.step, site: c.change.site, change: c.change.text }));
    report.plan = planView(plan);
    return 'planned';
  }
  await executeBackup(ctx, plan, report, started, since);
  return 'ok';
}
