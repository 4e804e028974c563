/**
 * `failback`: bring a stale old primary back as the secondary, without losing sight of its writes.
 *
 * Per service: the newest restore point both sites share (the old primary still holds its snapshots);
 * a quarantine snapshot of each of its data sets — never deleted by hbackup — keeps what it holds
 * now, and what changed since the shared point is listed (the writes the failover lost). Then the
 * catalog follows, its data sets are rolled back to the shared point (whose snapshot is taken again
 * over the rolled-back data), it takes the secondary identity at the current epoch, and a backup
 * copies forward what the new primary wrote since. `--switch` ends with a planned switchover back.
 *
 * Every step after the claim is recorded in it: a run that dies is carried on by the next failback,
 * which keeps the first run's quarantine and skips what is done.
 */
import type { NamedCluster, ResolvedPolicy } from '../../config/load.js';
import { type Change, httpChange, perform } from '../../core/change.js';
import { type FlowIo, openFlow } from '../../core/context.js';
import { confirmOrRefuse, runFlow } from '../../core/run.js';
import { planOf, runSteps, type Step } from '../../core/steps.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import { kindOf } from '../../datasets/index.js';
import { type RestorePlan, restoreChanges, restoreItems } from '../../datasets/restore.js';
import { PreflightError } from '../../errors.js';
import { clusterKey } from '../../hbase/replication.js';
import { ops } from '../../hdfs/requests.js';
import { describeClaim } from '../../identity/claim.js';
import type { Writer } from '../../identity/identity.js';
import { momentOf, momentStamp } from '../../names/names.js';
import type { Site } from '../../sites/site.js';
import { carryOf } from './carry.js';
import { failover } from './failover.js';
import {
  claimPlan,
  cleanupStep,
  endpointOf,
  identityStep,
  newReport,
  type PairFlows,
  type PairOptions,
  type PairReport,
  pairNow,
  roles,
  type ServiceReport,
  safeMode,
  underClaim,
} from './pair.js';
import { lostWrites, quarantineOf } from './quarantine.js';
import { stopReplicationStep } from './replication.js';

export interface FailbackOptions extends PairOptions {
  switch: boolean;
}

/** The steps of one service: quarantine, catalog, roll back and the shared snapshot taken again, each recorded. */
async function serviceSteps(
  rp: ResolvedPolicy,
  primary: NamedCluster,
  old: Site,
  stamp: string,
  done: ReadonlySet<string>,
  report: PairReport,
  io: FlowIo,
): Promise<Step[]> {
  const { service } = rp.policy;
  const ctx = openFlow(rp, roles(primary, old.cluster), io);
  const carry = await carryOf(ctx.primary, old, service);
  const shared = carry.write.at(-1);
  const r: ServiceReport = {
    service,
    restorePoint: shared?.snapshot ?? null,
    moment: shared?.moment ?? null,
    rpoSeconds: null,
    datasets: [],
  };
  report.services.push(r);
  const quarantine = quarantineOf(ctx, old, shared, service, stamp);
  // Replicated tables are compared row by row with the primary's (their store files always differ).
  const key = clusterKey(primary);
  const tables = replicatedTables(rp.policy);
  const replicated = key && tables.length ? { tables, key, primary: primary.name } : undefined;
  const id = (what: string) => `${what} ${service}`;
  const steps: Step[] = [
    {
      id: id('quarantine'),
      title: `${service}: quarantine what ${old.name} holds`,
      changes: quarantine.flatMap((q) => (q.change ? [q.change] : [])),
      run: async () => {
        for (const q of quarantine) if (q.change && !(await q.exists())) await perform(ctx, q.change);
        if (shared) r.lostWrites = await lostWrites(ctx, old, shared, quarantine, replicated);
        return undefined;
      },
      recorded: true,
    },
    { id: id('catalog'), title: `${service}: catalog`, changes: carry.changes, recorded: true },
  ];
  if (!shared) return steps;
  let plan: RestorePlan | undefined;
  if (!done.has(id('roll back'))) {
    const items = [];
    for (const d of shared.datasets) items.push(await kindOf(d.type).planRestore(ctx, d, { on: 'secondary', suffix: undefined }));
    plan = { point: shared, on: 'secondary', site: old.name, items };
    r.datasets = items.map((i) => ({ type: i.record.type, to: i.to, method: i.method }));
  }
  const hdfs = shared.datasets.filter((d) => d.type === 'hdfs');
  // The shared snapshot is taken again over the rolled-back data: the next copy is a diff from it.
  const retake = hdfs.flatMap((d) => [
    httpChange(old, ops.deleteSnapshot(d.target, d.snapshot)),
    httpChange(old, ops.createSnapshot(d.target, d.snapshot)),
  ]);
  steps.push(
    {
      id: id('roll back'),
      title: `${service}: roll back to ${shared.snapshot}`,
      changes: plan ? restoreChanges(plan).map((c) => c.change) : [],
      run: async () => void (plan && (await restoreItems(ctx, plan, r.datasets))),
      recorded: true,
    },
    {
      id: id('retake'),
      title: `${service}: ${shared.snapshot} taken again on ${old.name}`,
      changes: retake,
      run: async () => {
        const made: Change[] = [];
        for (const d of hdfs) {
          const [drop, take] = [
            httpChange(old, ops.deleteSnapshot(d.target, d.snapshot)),
            httpChange(old, ops.createSnapshot(d.target, d.snapshot)),
          ];
          // A run that died between the two finds the snapshot gone already.
          if ((await old.hdfs.listSnapshots(d.target)).includes(d.snapshot)) {
            await perform(ctx, drop);
            made.push(drop);
          }
          await perform(ctx, take);
          made.push(take);
        }
        return made;
      },
      recorded: true,
    },
  );
  return steps;
}

export async function failback(
  pair: [NamedCluster, NamedCluster],
  services: ResolvedPolicy[],
  options: FailbackOptions,
  flows: PairFlows,
  io: FlowIo,
): Promise<PairReport> {
  const report = newReport('failback', options.dryRun);
  return runFlow(report, io, async () => {
    const { sites, p, claims } = await pairNow(pair, io);
    if (claims.failover) throw new PreflightError([`${describeClaim(claims.failover)}: run hbackup failover again to finish it first`]);
    const dead = claims.failback?.record;
    // A failover that died before it switched anything is no failback's to carry on: its claim goes too.
    const cleanup = cleanupStep([...claims.obsolete, ...(claims.fresh ? [claims.fresh] : [])]);
    const stale = sites.find((s) => (dead ? s.site === dead.from : s.stale));
    const current = sites.find((s) => (dead ? s.site === dead.to : s.role === 'primary' && !s.stale));
    if (!stale || !current) {
      if (!options.switch) {
        report.warnings.push('no site is stale: nothing to fail back (--switch swaps the roles in a planned switchover)');
        return options.dryRun ? 'planned' : 'ok';
      }
      const switched = await failover(pair, services, { ...options, emergency: false }, flows, io);
      Object.assign(report, { ...switched, command: 'failback' });
      return switched.result;
    }
    if (!stale.reachable)
      throw new PreflightError([`${stale.site} does not answer (${stale.error ?? 'no answer'}): start it, then fail back`]);
    const epoch = dead?.epoch ?? current.identity!.epoch;
    const primary = pair.find((c) => c.name === current.site)!;
    Object.assign(report, { from: stale.site, to: current.site, epoch });
    const old = p.site(stale.site);
    const stamp = dead?.quarantine ?? momentStamp(momentOf(io.now()));
    const done = new Set(dead?.done ?? []);
    const steps: Step[] = [];
    // The old primary's peers ship nothing more into the primary (a failover that could not reach it left them).
    const stop = stopReplicationStep(old, services, p, (e) => {
      throw e;
    });
    if (stop) steps.push(stop);
    for (const rp of services) steps.push(...(await serviceSteps(rp, primary, old, stamp, done, report, io)));
    const mine = { before: [] as Writer[] };
    steps.push(identityStep(old, { site: old.name, role: 'secondary', epoch, reason: 'failback' }, io.now, mine));
    const adoptTarget = report.services.some((s) => !s.restorePoint);
    for (const rp of services) {
      const { service } = rp.policy;
      steps.push({
        id: `copy forward ${service}`,
        title: `${service}: copy forward ${current.site} → ${old.name}`,
        changes: [],
        later: `${old.name} is the secondary (a backup, incremental from the shared restore point)`,
        run: async () => {
          const b = await flows.backup(rp, { dryRun: false, adoptTarget });
          const s = report.services.find((x) => x.service === service)!;
          Object.assign(s, { restorePoint: b.restorePoint, moment: b.moment });
          if (b.result !== 'ok') report.warnings.push(`${service}: the copy forward failed: ${b.error}; run hbackup backup again`);
          return [];
        },
        recorded: true,
      });
    }
    const lift: Step[] = stale.namenode.safemode
      ? [{ id: 'lift', title: `${old.name}: leave safe mode`, changes: [safeMode(old, 'leave')] }]
      : [];
    report.endpoint = endpointOf(options.switch ? old.cluster : primary);
    const held = claimPlan(old, epoch, claims.failback);
    if (options.dryRun) {
      report.planned = planOf([...cleanup, ...lift, held.claim, ...steps, held.release], done, held.record);
      if (options.switch)
        report.planned.push({
          step: 'switch',
          site: old.name,
          change: `(planned when it runs: a planned switchover ${current.site} → ${old.name})`,
        });
      return 'planned';
    }
    await confirmOrRefuse(
      options,
      `Roll ${old.name} back to the restore points it shares with ${current.site} (what it holds now is kept in quarantine snapshots)?`,
      'failback rolls the old primary back',
    );
    report.made = [];
    const run = { performer: p, progress: io.progress, made: report.made };
    // Out of safe mode first: nothing (not even the claim) can be written before.
    await runSteps([...cleanup, ...lift], { ...run, done: new Set(), record: async () => undefined });
    const decision = {
      command: 'failback' as const,
      site: old.name,
      epoch,
      from: old.name,
      to: current.site,
      mode: 'failback',
      quarantine: stamp,
    };
    // Every step is recorded: the next failback carries on from the first not done, its quarantine kept.
    await underClaim(
      held,
      { site: old, decision, takeOver: claims.failback },
      { first: [], recorded: steps, done },
      { ...run, report, mine, now: io.now, again: 'run hbackup failback again to carry on from there' },
    );
    if (report.warnings.length) return 'failed';
    if (!options.switch) return 'ok';
    const switched = await failover(pair, services, { dryRun: false, yes: true, emergency: false, confirm: undefined }, flows, io);
    report.warnings.push(...switched.warnings);
    Object.assign(report, {
      error: switched.error,
      endpoint: switched.endpoint,
      switched: { epoch: switched.epoch, services: switched.services },
    });
    report.made.push(...(switched.made ?? []));
    return switched.result;
  });
}
