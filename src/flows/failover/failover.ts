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
 *   tables come up from the exported snapshots — or, with --replicas, its replicated tables are served
 *   as the live replicas they are, seconds behind; then the secondary takes the primary identity at
 *   the next epoch, which leaves the old primary stale until failback. Before anything else the old
 *   primary's replication peers are removed (it must not ship into the new primary).
 *
 * Plan (steps of changes) → confirm → claim the epoch (one control host wins) → the steps → new
 * endpoint and RTO. A run that died leaves its claim: the next failover takes it over and finishes
 * what the dead run began past the new primary's identity, or decides anew when it never got there.
 */
import type { NamedCluster, ResolvedPolicy } from '../../config/load.js';
import { type Change, perform } from '../../core/change.js';
import { type FlowIo, openFlow, openPair } from '../../core/context.js';
import { confirmOrRefuse, runFlow } from '../../core/run.js';
import { planOf, runSteps, type ShownChange, type Step } from '../../core/steps.js';
import { planRestore, restoreChanges, restoreItems } from '../../datasets/restore.js';
import { HbackupError, PreflightError } from '../../errors.js';
import type { Writer } from '../../identity/identity.js';
import { carryOf } from './carry.js';
import { type Decision, decideFailover, finishing } from './decide.js';
import { emergencySteps, serviceReport } from './emergency.js';
import {
  claimPlan,
  cleanupStep,
  endpointOf,
  type FoundOn,
  identityStep,
  newReport,
  type PairFlows,
  type PairOptions,
  type PairReport,
  pairNow,
  roles,
  runSiteHooks,
  safeMode,
  siteHooks,
  underClaim,
} from './pair.js';
import { behind, liveReplicas, replicasWanted } from './replicas.js';
import { peersOf, stopReplicationStep } from './replication.js';

export interface FailoverOptions extends PairOptions {
  /** Promote even though the primary answers and looks healthy (it is known to be faulty). */
  emergency: boolean;
  /** An emergency promotes the live replicas of these services' replicated tables (true: of every one that has them). */
  replicas?: true | string[];
}

/** A backup's planned changes, as the step of a failover that runs it shows them (the backup makes them itself). */
const asChanges = (planned: ShownChange[] | undefined): Change[] =>
  (planned ?? []).map((c) => ({ site: c.site, text: c.change }) as Change);

/** The steps of a failover, in order; those past the new primary's identity are recorded as they are done. */
async function stepsOf(
  d: Decision,
  services: ResolvedPolicy[],
  use: Set<string>,
  flows: PairFlows,
  report: PairReport,
  state: { promoted: boolean; before: Writer[] },
  io: FlowIo,
): Promise<Step[]> {
  const startedAt = io.now().toISOString();
  const p = openPair([d.from, d.to], io);
  const [from, to] = [p.site(d.from.name), p.site(d.to.name)];
  const fence = siteHooks(d.from, 'fence', { role: 'secondary', epoch: d.epoch });
  const promote = siteHooks(d.to, 'onPromote', { role: 'primary', epoch: d.epoch });
  const ctxOf = (rp: ResolvedPolicy) => openFlow(rp, roles(d.from, d.to), io);
  const steps: Step[] = [];
  // The old primary ships nothing more to the new one: its peers go first.
  if (!d.finish && d.oldReachable) {
    const stop = stopReplicationStep(from, services, p, (e) => {
      if (d.mode === 'planned') throw e;
      report.warnings.push(
        `${d.from.name}: its replication peers could not be removed: ${e.message}; remove them by hand (remove_peer), or with its HBase down delete them from its ZooKeeper before it starts (hbase zkcli deleteall ${d.from.hbase?.znodeParent ?? '/hbase'}/replication/peers/<peer>)`,
      );
    });
    if (stop) steps.push(stop);
  } else if (!d.finish && peersOf(services).length) {
    report.warnings.push(
      `${d.from.name} does not answer: its replication peers (${peersOf(services).join(', ')}) could not be removed; when its region servers start again they ship the edits they had not shipped into ${d.to.name}: before its HBase starts, with only its ZooKeeper up, delete them (hbase zkcli deleteall ${d.from.hbase?.znodeParent ?? '/hbase'}/replication/peers/<peer>), then run hbackup failback`,
    );
  }
  if (!d.finish && d.mode === 'emergency') {
    const enter = d.oldReachable ? [safeMode(from, 'enter')] : [];
    steps.push({
      id: 'fence',
      title: `fence ${d.from.name}`,
      changes: [...enter, ...fence],
      run: async () => {
        for (const c of enter)
          await perform(p, c).catch((e: Error) => report.warnings.push(`${d.from.name}: could not enter safe mode: ${e.message}`));
        await runSiteHooks(p, d.from, fence, 'fence').catch((e: Error) => report.warnings.push(e.message));
        return undefined;
      },
    });
    const now = io.now();
    const live = await liveReplicas(p, services, d.oldReachable ? from : undefined, to, use, now);
    for (const rp of services) steps.push(...(await emergencySteps(ctxOf(rp), live.get(rp.policy.service), d, report, now)));
  } else if (!d.finish) {
    steps.push({
      id: 'fence',
      title: `fence ${d.from.name}`,
      changes: fence,
      run: async () => void (await runSiteHooks(p, d.from, fence, 'fence')),
    });
    for (const rp of services) {
      const { service } = rp.policy;
      const dry = await flows.backup(rp, { dryRun: true, adoptTarget: false, noReplication: true });
      if (dry.result !== 'planned') throw new PreflightError([`${service}: its last backup would fail: ${dry.error}`]);
      report.services.push({ service, restorePoint: null, moment: dry.moment, rpoSeconds: 0, datasets: [] });
      steps.push({
        id: `backup ${service}`,
        title: `${service}: last backup`,
        changes: asChanges(dry.planned),
        later: 'the backup plans again as it runs, at its own moment',
        run: async () => {
          const b = await flows.backup(rp, { dryRun: false, adoptTarget: false, noReplication: true });
          if (b.result === 'ok') return [];
          const fenced = fence.length
            ? `the fence hooks of ${d.from.name} ran: start its writers again`
            : `${d.from.name} stays the primary`;
          throw new HbackupError(`${service}: the last backup failed: ${b.error}; nothing was switched; ${fenced}`);
        },
      });
      steps.push({
        id: `in place ${service}`,
        title: `${service}: in place on ${d.to.name}`,
        changes: [],
        later: 'the last backup is recorded (directories are equal; tables by clone_snapshot or restore_snapshot)',
        run: async () => {
          const ctx = ctxOf(rp);
          const plan = await planRestore(ctx, { point: 'latest', on: 'secondary', suffix: undefined, datasets: undefined });
          const s = serviceReport(plan, null);
          report.services[report.services.findIndex((x) => x.service === service)] = s;
          await restoreItems(ctx, plan, s.datasets);
          return restoreChanges(plan).map((c) => c.change);
        },
      });
    }
  }
  // The point of no return: from here on each step is recorded, and a run that carries on skips what is done.
  const served = () => ({
    served: report.services.map((s) => ({
      service: s.service,
      restorePoint: s.restorePoint,
      moment: s.moment,
      ...(s.replicas?.used ? { replicas: s.replicas.tables, replicasLagSeconds: s.replicas.lagSeconds } : {}),
    })),
  });
  steps.push(
    identityStep(
      to,
      { site: d.to.name, role: 'primary', epoch: d.epoch, reason: `failover (${d.mode})`, startedAt },
      io.now,
      state,
      served,
    ),
  );
  if (d.mode === 'planned' && d.oldReachable) {
    steps.push(identityStep(from, { site: d.from.name, role: 'secondary', epoch: d.epoch, reason: 'failover (planned)' }, io.now, state));
    for (const rp of services) {
      const { service } = rp.policy;
      steps.push({
        id: `catalog ${service}`,
        title: `${service}: catalog → ${d.from.name}`,
        changes: [],
        later: `the identities are written (it takes the restore points ${d.from.name} holds)`,
        run: async () => {
          const carry = await carryOf(to, from, service);
          for (const c of carry.changes) await perform(p, c);
          if (carry.left.length) io.progress.info(`${service}: ${carry.left.length} older restore point(s) stay in ${d.to.name}'s catalog`);
          return carry.changes;
        },
        recorded: true,
      });
    }
  } else if (d.mode === 'planned') {
    report.warnings.push(`${d.from.name} does not answer: it keeps its identity and is stale until hbackup failback`);
  }
  steps.push({
    id: 'promote',
    title: `promote ${d.to.name}`,
    changes: promote,
    // The switch is made; a hook that fails leaves it made, and says what is left to do by hand.
    run: async () =>
      void (await runSiteHooks(p, d.to, promote, 'onPromote').catch((e: Error) => {
        report.warnings.push(`${e.message}; ${d.to.name} is the primary: finish what the hook does by hand`);
        state.promoted = false;
      })),
    recorded: true,
  });
  return steps;
}

export async function failover(
  pair: [NamedCluster, NamedCluster],
  services: ResolvedPolicy[],
  options: FailoverOptions,
  flows: PairFlows,
  io: FlowIo,
): Promise<PairReport> {
  const report = newReport('failover', options.dryRun);
  return runFlow(report, io, async () => {
    const { sites, p, claims } = await pairNow(pair, io);
    const d = finishing(claims, sites, pair) ?? decideFailover(sites, pair, options.emergency);
    Object.assign(report, { from: d.from.name, to: d.to.name, epoch: d.epoch, mode: d.mode, why: d.why });
    io.progress.info(`failover ${d.from.name} → ${d.to.name} (epoch ${d.epoch}): ${d.mode}; ${d.why}`);
    // The claim of the dead run this one carries on, taken over; the others are removed first.
    const takeOver = [claims.failover, claims.fresh].find((c) => c && c.on.name === d.to.name && c.epoch === d.epoch);
    const cleanup = cleanupStep([...claims.obsolete, ...[claims.fresh].filter((c): c is FoundOn => Boolean(c) && c !== takeOver)]);
    const state = { promoted: true, before: [] as Writer[] };
    const use = replicasWanted(services, options.replicas);
    if (use.size && d.mode === 'planned')
      report.warnings.push('--replicas is for an emergency: a planned switchover loses nothing (a last backup first)');
    const steps = await stepsOf(d, services, use, flows, report, state, io);
    const noReturn = steps.findIndex((s) => s.recorded);
    const to = p.site(d.to.name);
    const held = claimPlan(to, d.epoch, takeOver);
    const done = new Set(takeOver?.record?.done ?? []);
    report.endpoint = endpointOf(d.to);
    if (options.dryRun) {
      report.planned = planOf([...cleanup, held.claim, ...steps, held.release], done, held.record);
      return 'planned';
    }
    await confirmFailover(d, report, options);
    report.made = [];
    const run = { performer: p, progress: io.progress, made: report.made };
    await runSteps(cleanup, { ...run, done: new Set(), record: async () => undefined });
    const decision = { command: 'failover' as const, site: d.to.name, epoch: d.epoch, from: d.from.name, to: d.to.name, mode: d.mode };
    await underClaim(
      held,
      { site: to, decision, takeOver },
      { first: steps.slice(0, noReturn), recorded: steps.slice(noReturn), done },
      {
        ...run,
        report,
        mine: state,
        now: io.now,
        again: `${d.to.name} is the primary at epoch ${d.epoch}: run hbackup failover again to finish the rest`,
      },
    );
    return state.promoted ? 'ok' : 'failed';
  });
}

/** An emergency loses what came after each service's last restore point: say how much, and ask. */
async function confirmFailover(d: Decision, report: PairReport, options: FailoverOptions): Promise<void> {
  const stake = d.finish
    ? 'finishing what a run that died began'
    : d.mode === 'emergency'
      ? report.services
          .map((s) =>
            s.replicas?.used
              ? `${s.service}: its live replicas (${behind(s.replicas)})${s.moment ? `, the rest back to ${s.moment}` : ''}`
              : s.moment
                ? `${s.service} back to ${s.moment} (${Math.round((s.rpoSeconds ?? 0) / 60)} min lost)`
                : `${s.service}: nothing to bring back`,
          )
          .join(', ')
      : 'a last backup of every service first';
  await confirmOrRefuse(
    options,
    `Make ${d.to.name} the primary (epoch ${d.epoch}): ${stake}?`,
    'a failover changes which site applications use',
  );
}
