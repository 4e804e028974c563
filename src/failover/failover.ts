/**
 * `failover`: make the secondary the primary.
 *
 * - The primary answers and is healthy → a planned switchover: its writers are fenced (the
 *   clusters file's `fence` hooks), every service gets a last restore point, the new primary's
 *   tables come up from it, the identities swap at the next epoch and the catalog follows the roles.
 *   Nothing is lost.
 * - The primary is down, unhealthy, or `--emergency` says so → an emergency promotion: per service
 *   what is at stake (the moment of its last complete restore point: the RPO) is shown and
 *   confirmed; the old primary, if it still answers, goes into HDFS safe mode; every data set on the
 *   secondary is brought back to that restore point (a half-finished copy is never served) and its
 *   tables come up from the exported snapshots; then the secondary takes the primary identity at the
 *   next epoch, which leaves the old primary stale until failback.
 *
 * Plan → confirm → claim the epoch (one control host wins) → execute → new endpoint and RTO.
 */

import { readCatalog } from '../catalog/catalog.js';
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { missingOn } from '../datasets/index.js';
import { planRestore, type RestorePlan, restoreChanges, restoreItems } from '../datasets/restore.js';
import { HbackupError, PreflightError } from '../errors.js';
import { type Change, perform } from '../flow/change.js';
import { type FlowContext, type FlowIo, openFlow, openPair } from '../flow/context.js';
import { settle } from '../flow/outcome.js';
import { claimEpoch, writeIdentity } from '../identity/identity.js';
import type { SiteStatus } from '../sites/health.js';
import {
  endpointOf,
  FLOW,
  newReport,
  type PairOptions,
  type PairReport,
  pairStatus,
  roles,
  runSiteHooks,
  type ServiceReport,
  safeMode,
  siteHooks,
} from './pair.js';
import { carryCatalogs, lastBackups } from './switchover.js';

export interface FailoverOptions extends PairOptions {
  /** Promote even though the primary answers and looks healthy (it is known to be faulty). */
  emergency: boolean;
}

/** Who is primary, who takes over, at which epoch, and how. Refuses what must not be switched. */
export function decideFailover(sites: SiteStatus[], pair: NamedCluster[], emergency: boolean) {
  if (sites.some((s) => s.stale)) {
    const stale = sites.find((s) => s.stale)!;
    throw new PreflightError([`${stale.site} is stale (an old primary): run hbackup failback before another failover`]);
  }
  const old = sites.find((s) => s.role === 'primary');
  const next = sites.find((s) => s.role === 'secondary');
  if (!old || !next) throw new PreflightError(['the sites do not hold one primary and one secondary: see hbackup status']);
  if (!next.identity) throw new PreflightError([`${next.site} holds no identity: run hbackup init first`]);
  const unfit = [
    !next.reachable && `not reachable (${next.error ?? 'no answer'})`,
    next.reachable && next.namenode.state && next.namenode.state !== 'active' && `its NameNode is ${next.namenode.state}`,
    next.namenode.safemode && 'HDFS is in safe mode',
  ].filter(Boolean);
  if (unfit.length) throw new PreflightError([`${next.site} cannot be promoted: ${unfit.join('; ')}`]);
  const healthy = old.reachable && old.level !== 'CRITICAL';
  const mode: 'planned' | 'emergency' = healthy && !emergency ? 'planned' : 'emergency';
  const why = !old.reachable
    ? `${old.site} does not answer (${old.error ?? 'no answer'})`
    : old.level === 'CRITICAL'
      ? `${old.site} answers but is not healthy`
      : emergency
        ? `--emergency: ${old.site} answers but is treated as failed`
        : `${old.site} is healthy`;
  const epoch = Math.max(...sites.map((s) => s.identity?.epoch ?? 0)) + 1;
  const cluster = (name: string) => pair.find((c) => c.name === name)!;
  return { mode, why, epoch, from: cluster(old.site), to: cluster(next.site), oldReachable: old.reachable };
}

export async function failover(
  pair: [NamedCluster, NamedCluster],
  services: ResolvedPolicy[],
  options: FailoverOptions,
  io: FlowIo,
): Promise<PairReport> {
  const started = io.now().getTime();
  const report = newReport('failover', options.dryRun);
  try {
    const d = decideFailover(await pairStatus(pair, io), pair, options.emergency);
    Object.assign(report, { from: d.from.name, to: d.to.name, epoch: d.epoch, mode: d.mode, why: d.why });
    io.progress.info(`failover ${d.from.name} → ${d.to.name} (epoch ${d.epoch}): ${d.mode}; ${d.why}`);
    const p = openPair(pair, io);
    const [from, to] = [p.site(d.from.name), p.site(d.to.name)];
    const steps: { step: string; change: Change }[] = [];
    const fence = siteHooks(d.from, 'fence', { role: 'secondary', epoch: d.epoch });
    const promote = siteHooks(d.to, 'onPromote', { role: 'primary', epoch: d.epoch });
    const plans = new Map<string, RestorePlan>();

    if (d.mode === 'emergency') {
      if (d.oldReachable) steps.push({ step: `fence ${d.from.name}`, change: safeMode(from, 'enter') });
      steps.push(...fence.map((change) => ({ step: `fence ${d.from.name}`, change })));
      const now = io.now().getTime();
      for (const rp of services) {
        const ctx = openFlow(rp, roles(d.from, d.to), FLOW, io);
        const point = await lastComplete(ctx);
        if (!point) {
          report.warnings.push(`${rp.policy.service}: no complete restore point on ${d.to.name}: nothing of it can be brought up there`);
          report.services.push({ service: rp.policy.service, restorePoint: null, moment: null, rpoSeconds: null, datasets: [] });
          continue;
        }
        const plan = await io.progress.step(`${rp.policy.service}: last complete restore point on ${d.to.name}`, () =>
          planRestore(ctx, { point, on: 'secondary', suffix: undefined, datasets: undefined }),
        );
        plans.set(rp.policy.service, plan);
        report.services.push(serviceReport(plan, now));
        steps.push(...restoreChanges(plan).map((s) => ({ step: `${rp.policy.service}: ${s.step}`, change: s.change })));
      }
    } else {
      steps.push(...fence.map((change) => ({ step: `fence ${d.from.name}`, change })));
      const dry = await lastBackups(services, { ...FLOW, dryRun: true }, io);
      for (const b of dry) {
        report.services.push({ service: b.service, restorePoint: null, moment: b.moment, rpoSeconds: 0, datasets: [] });
        steps.push(
          ...(b.planned ?? []).map((c) => ({
            step: `${b.service}: last backup, ${c.step}`,
            change: { site: c.site, text: c.change } as Change,
          })),
        );
        steps.push({
          step: `${b.service}: in place on ${d.to.name}`,
          change: {
            site: d.to.name,
            text: `${d.to.name}: the data sets at that restore point (tables by clone_snapshot or restore_snapshot)`,
          } as Change,
        });
      }
      const unfit = dry.filter((b) => b.result !== 'planned');
      if (unfit.length) throw new PreflightError(unfit.map((b) => `${b.service}: its last backup would fail: ${b.error}`));
    }
    const identityStep = (site: string, role: string) =>
      ({ step: 'identities', change: { site, text: `${site}: identity ${role} at epoch ${d.epoch}` } }) as { step: string; change: Change };
    steps.push(identityStep(d.to.name, 'primary'));
    if (d.mode === 'planned') {
      steps.push(identityStep(d.from.name, 'secondary'));
      steps.push({
        step: 'catalog',
        change: { site: d.from.name, text: `${d.from.name}: takes over the catalog of the restore points it holds` } as Change,
      });
    }
    steps.push(...promote.map((change) => ({ step: `promote ${d.to.name}`, change })));
    report.endpoint = endpointOf(d.to);

    if (options.dryRun) {
      report.planned = steps.map((s) => ({ step: s.step, site: s.change.site, change: s.change.text }));
      report.result = 'planned';
      return report;
    }
    await confirmFailover(d, report, options);

    const claim = await claimEpoch(to.hdfs, { site: d.to.name, epoch: d.epoch, command: 'failover' }, io.now());
    try {
      if (d.mode === 'emergency') {
        if (d.oldReachable) {
          await io.progress
            .step(`${d.from.name}: safe mode (read-only), so nothing more diverges`, () => perform(p, safeMode(from, 'enter')))
            .catch((e: Error) => report.warnings.push(`${d.from.name}: could not enter safe mode: ${e.message}`));
        }
        await runSiteHooks(p, d.from, fence, 'fence').catch((e: Error) => report.warnings.push(e.message));
        for (const rp of services) {
          const plan = plans.get(rp.policy.service);
          if (!plan) continue;
          const s = report.services.find((x) => x.service === rp.policy.service)!;
          await restoreItems(openFlow(rp, roles(d.from, d.to), FLOW, io), plan, s.datasets);
        }
      } else {
        await runSiteHooks(p, d.from, fence, 'fence');
        const backups = await lastBackups(services, { ...FLOW, dryRun: false }, io);
        const failed = backups.filter((b) => b.result !== 'ok');
        if (failed.length) {
          // Something ran (the fence hooks, part of a backup): a failure, not a refusal.
          throw new HbackupError(
            [
              ...failed.map((b) => `${b.service}: the last backup failed: ${b.error}`),
              `nothing was switched; ${fence.length ? `the fence hooks of ${d.from.name} ran: start its writers again` : `${d.from.name} stays the primary`}`,
            ].join('; '),
          );
        }
        report.services = [];
        for (const rp of services) {
          const ctx = openFlow(rp, roles(d.from, d.to), FLOW, io);
          const plan = await planRestore(ctx, { point: 'latest', on: 'secondary', suffix: undefined, datasets: undefined });
          const s = serviceReport(plan, null);
          report.services.push(s);
          await restoreItems(ctx, plan, s.datasets);
        }
      }
      await io.progress.step(`identities: ${d.to.name} primary at epoch ${d.epoch}`, async () => {
        await writeIdentity(to.hdfs, { site: d.to.name, role: 'primary', epoch: d.epoch, reason: `failover (${d.mode})` }, io.now());
        if (d.mode === 'planned') {
          await writeIdentity(from.hdfs, { site: d.from.name, role: 'secondary', epoch: d.epoch, reason: 'failover (planned)' }, io.now());
        }
      });
      if (d.mode === 'planned') await carryCatalogs(services, roles(d.to, d.from), io);
    } finally {
      await claim.release();
    }
    // The switch is made; a hook that fails leaves it made, and says what is left to do by hand.
    const promoted = await runSiteHooks(p, d.to, promote, 'onPromote').then(
      () => true,
      (e: Error) => {
        report.warnings.push(`${e.message}; ${d.to.name} is the primary: finish what the hook does by hand`);
        return false;
      },
    );
    report.result = promoted ? 'ok' : 'failed';
  } catch (e) {
    settle(report, e, (t) => io.progress.debug(t));
  } finally {
    report.durationMs = io.now().getTime() - started;
  }
  return report;
}

/** The newest restore point of the service whose snapshots the secondary holds in full (a stamp). */
async function lastComplete(ctx: FlowContext): Promise<string | undefined> {
  const { points } = await readCatalog(ctx.secondary.hdfs, ctx.service);
  for (const p of [...points].reverse()) {
    if (!(await missingOn(ctx.secondary, p.datasets)).length) return p.stamp;
    ctx.progress.warn(`${ctx.service}: restore point ${p.snapshot} is incomplete on ${ctx.secondary.name}; taking an older one`);
  }
  return undefined;
}

function serviceReport(plan: RestorePlan, now: number | null): ServiceReport {
  return {
    service: plan.point.service,
    restorePoint: plan.point.snapshot,
    moment: plan.point.moment,
    rpoSeconds: now === null ? 0 : Math.round((now - Date.parse(plan.point.moment)) / 1000),
    datasets: plan.items.map((i) => ({ type: i.record.type, to: i.to, method: i.method })),
  };
}

/** An emergency loses what came after each service's last restore point: say how much, and ask. */
async function confirmFailover(d: ReturnType<typeof decideFailover>, report: PairReport, options: FailoverOptions): Promise<void> {
  if (options.yes) return;
  const stake =
    d.mode === 'emergency'
      ? report.services
          .map((s) =>
            s.moment
              ? `${s.service} back to ${s.moment} (${Math.round((s.rpoSeconds ?? 0) / 60)} min lost)`
              : `${s.service}: nothing to bring back`,
          )
          .join(', ')
      : 'a last backup of every service first';
  const question = `Make ${d.to.name} the primary (epoch ${d.epoch}): ${stake}?`;
  if (!options.confirm)
    throw new PreflightError([`a failover changes which site applications use: pass --yes, or run it on a terminal to be asked`]);
  if (!(await options.confirm(question))) throw new PreflightError(['not confirmed; nothing was changed']);
}
