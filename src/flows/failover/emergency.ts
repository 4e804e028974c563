/**
 * An emergency promotion, per service: its data sets on the new primary back to its last complete
 * restore point (a half-finished copy is never served), or — with --replicas — its replicated tables
 * served as the live replicas they are and the rest from that point.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { perform } from '../../core/change.js';
import type { FlowContext } from '../../core/context.js';
import type { Step } from '../../core/steps.js';
import { missingOn } from '../../datasets/index.js';
import { planRestore, type RestorePlan, restoreChanges, restoreItems } from '../../datasets/restore.js';
import type { Decision } from './decide.js';
import type { PairReport, ServiceReport } from './pair.js';
import { enableReplicas, type LiveReplicas } from './replicas.js';

/** The newest restore point of the service whose snapshots the secondary holds in full (a stamp). */
async function lastComplete(ctx: FlowContext): Promise<string | undefined> {
  const { points } = await readCatalog(ctx.secondary.hdfs, ctx.service);
  for (const p of [...points].reverse()) {
    if (!(await missingOn(ctx.secondary, p.datasets)).length) return p.stamp;
    ctx.progress.warn(`${ctx.service}: restore point ${p.snapshot} is incomplete on ${ctx.secondary.name}; taking an older one`);
  }
  return undefined;
}

export function serviceReport(plan: RestorePlan, now: number | null): ServiceReport {
  return {
    service: plan.point.service,
    restorePoint: plan.point.snapshot,
    moment: plan.point.moment,
    rpoSeconds: now === null ? 0 : Math.round((now - Date.parse(plan.point.moment)) / 1000),
    datasets: plan.items.map((i) => ({ type: i.record.type, to: i.to, method: i.method })),
  };
}

/**
 * An emergency's steps for one service: its data sets back to its last complete restore point on the
 * new primary — its replicated tables left as the live replicas they are when --replicas says so.
 */
export async function emergencySteps(
  ctx: FlowContext,
  replicas: LiveReplicas | undefined,
  d: Decision,
  report: PairReport,
  now: Date,
): Promise<Step[]> {
  const { service } = ctx;
  const point = await lastComplete(ctx);
  const kept = new Set(replicas?.used ? replicas.tables : []);
  let s: ServiceReport = { service, restorePoint: null, moment: null, rpoSeconds: null, datasets: [] };
  let plan: RestorePlan | undefined;
  if (point) {
    plan = await planRestore(ctx, { point, on: 'secondary', suffix: undefined, datasets: undefined });
    plan.items = plan.items.filter((i) => !(i.record.type === 'hbase' && kept.has(i.record.target)));
    s = serviceReport(plan, now.getTime());
  } else if (!kept.size)
    report.warnings.push(`${service}: no complete restore point on ${d.to.name}: nothing of it can be brought up there`);
  if (replicas) s.replicas = replicas;
  // After the restore's own data sets: restoreItems fills in theirs by position.
  s.datasets.push(...[...kept].map((t) => ({ type: 'hbase', to: `${d.to.name}:${t}`, method: 'live replica' })));
  report.services.push(s);
  if (!plan && !kept.size) return [];
  const enable = kept.size ? [enableReplicas(ctx.secondary, [...kept])] : [];
  const title = [plan && `back to ${plan.point.snapshot}`, kept.size && 'its live replicas'].filter(Boolean).join(', ');
  return [
    {
      id: `restore ${service}`,
      title: `${service}: ${title} on ${d.to.name}`,
      changes: [...(plan ? restoreChanges(plan).map((c) => c.change) : []), ...enable],
      run: async () => {
        if (plan) await restoreItems(ctx, plan, s.datasets);
        for (const c of enable) await perform(ctx, c);
        return undefined;
      },
    },
  ];
}
