/**
 * One restore of one service: lock → plan (read-only) → confirmation when live data is replaced →
 * execute (each data set's changes, then its verification) → report. A dry run stops after the plan.
 */
import type { ResolvedPolicy } from '../../config/load.js';
import { type FlowIo, openFlow, siteOf } from '../../core/context.js';
import type { Outcome } from '../../core/outcome.js';
import { confirmOrRefuse, runFlow } from '../../core/run.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import { planRestore, type RestoreOptions, restoreChanges, restoreItems } from '../../datasets/restore.js';
import { PreflightError } from '../../errors.js';
import { acquireLock, type Lock } from '../../lock/lock.js';
import { currentRoles } from '../../sites/roles.js';

export interface RestoreReport {
  service: string;
  restorePoint: string | null;
  on: 'primary' | 'secondary';
  site: string | null;
  result: Outcome;
  dryRun: boolean;
  durationMs: number;
  datasets: {
    type: string;
    from: string;
    to: string;
    inPlace: boolean;
    method: string;
    /** Set once it was brought back and verified. */
    verified?: { files: number; bytes: number; partitions?: number };
  }[];
  planned?: { step: string; site: string; change: string }[];
  error?: string;
}

export interface RestoreRun extends RestoreOptions {
  dryRun: boolean;
  /** Asked before live data is replaced (true: go on); undefined when nobody can be asked. */
  confirm: ((question: string) => Promise<boolean>) | undefined;
  yes: boolean;
}

export async function restoreService(rp: ResolvedPolicy, options: RestoreRun, io: FlowIo): Promise<RestoreReport> {
  const { service } = rp.policy;
  const report: RestoreReport = {
    service,
    restorePoint: null,
    on: options.on,
    site: null,
    result: 'failed',
    dryRun: options.dryRun,
    durationMs: 0,
    datasets: [],
  };
  let lock: Lock | undefined;
  await runFlow(report, io, async () => {
    const roles = await currentRoles(rp, (c) => siteOf(c, io));
    const ctx = openFlow(rp, roles, io);
    if (!options.dryRun) lock = acquireLock(service, 'restore', io.stateDir);
    const plan = await io.progress.step(
      `${service}: plan the restore of ${options.point} on the ${options.on}`,
      () => planRestore(ctx, options),
      (p) => `${service}: restore point ${p.point.snapshot}, ${p.items.length} data set(s) onto ${p.site}`,
    );
    // A replica is kept by the peer: set back in place it would stay apart from the primary for good.
    const replicated = new Set(replicatedTables(ctx.policy));
    const replicas = plan.items.filter(
      (i) => options.on === 'secondary' && i.inPlace && i.record.type === 'hbase' && replicated.has(i.record.target),
    );
    if (replicas.length)
      throw new PreflightError([
        `${replicas.map((i) => i.record.target).join(', ')} on ${plan.site}: the live replica of a replicated table (replication: true); restored in place it would stay apart from the primary: restore it beside the replica with --suffix`,
      ]);
    report.restorePoint = plan.point.snapshot;
    report.site = plan.site;
    report.datasets = plan.items.map((i) => ({ type: i.record.type, from: i.from, to: i.to, inPlace: i.inPlace, method: i.method }));
    if (options.dryRun) {
      report.planned = restoreChanges(plan).map((c) => ({ step: c.step, site: c.change.site, change: c.change.text }));
      return 'planned';
    }
    const replaced = plan.items.filter((i) => i.inPlace).map((i) => i.to);
    if (replaced.length) {
      const question = `Replace the live data of ${replaced.join(', ')} with restore point ${plan.point.snapshot}?`;
      await confirmOrRefuse(options, question, `restoring in place replaces live data (${replaced.join(', ')})`);
    }
    await restoreItems(ctx, plan, report.datasets);
    return 'ok';
  }).finally(() => lock?.release());
  return report;
}
