/**
 * What failover and failback share: the sites as they answer now (health, identities, the claims
 * they hold), the clusters' own hooks, safe mode, identity writes as steps, the backup they are
 * given to run, and the report both commands print.
 */
import type { NamedCluster, ResolvedPolicy } from '../../config/load.js';
import { type Change, commandChange, httpChange, type Performer, runHookChanges } from '../../core/change.js';
import { type FlowIo, openPair } from '../../core/context.js';
import type { Outcome } from '../../core/outcome.js';
import type { Asking } from '../../core/run.js';
import { planOf, runSteps, type ShownChange, type Step, type StepRun } from '../../core/steps.js';
import { HbackupError, LockedError } from '../../errors.js';
import { ops } from '../../hdfs/requests.js';
import {
  type ClaimDecision,
  claimChanges,
  claimEpoch,
  claimPath,
  describeClaim,
  type FoundClaim,
  readClaims,
} from '../../identity/claim.js';
import { type IdentityChange, identityRecord, identityWrites, type Writer, writeIdentity } from '../../identity/identity.js';
import { type SiteStatus, siteStatuses } from '../../sites/health.js';
import type { Roles } from '../../sites/roles.js';
import type { Site } from '../../sites/site.js';
import type { LiveReplicas } from './replicas.js';

/** What failover and failback are told: plan only, and how to ask. */
export interface PairOptions extends Asking {
  dryRun: boolean;
}

/** What a failover or failback needs of a backup it runs (the command gives the backup, sync-users included). */
export interface LastBackup {
  service: string;
  result: Outcome;
  error?: string;
  restorePoint: string | null;
  moment: string | null;
  planned?: ShownChange[];
}

/** The flows a failover or failback runs inside itself, given by the command: no flow imports another. */
export interface PairFlows {
  /** `noReplication`: the backup leaves replication alone (a failover's last backup, its peers being taken down). */
  backup(rp: ResolvedPolicy, options: { dryRun: boolean; adoptTarget: boolean; noReplication?: boolean }): Promise<LastBackup>;
}

export interface PairReport {
  command: 'failover' | 'failback';
  result: Outcome;
  dryRun: boolean;
  /** The site that was the primary, and the one that is now (or would be). */
  from: string | null;
  to: string | null;
  epoch: number | null;
  /** failover: planned switchover or emergency promotion, and why. */
  mode?: 'planned' | 'emergency';
  why?: string;
  /** This run carried on from a run that died (its claim, taken over). */
  resumed?: string;
  /** failback --switch: the switchover that followed. */
  switched?: { epoch: number | null; services: ServiceReport[] };
  /** How long it took, command start to the new endpoint known (the RTO of a failover). */
  durationMs: number;
  endpoint: { site: string; fsDefaultFS: string; hbaseZookeeperQuorum: string | null } | null;
  services: ServiceReport[];
  /** Under --dry-run: every step's changes in order (or what a step waits for). */
  planned?: ShownChange[];
  /** Every change made, in order, each under its step. */
  made?: ShownChange[];
  warnings: string[];
  error?: string;
}

export interface ServiceReport {
  service: string;
  /** The restore point the service stands on at the end (or would). */
  restorePoint: string | null;
  moment: string | null;
  /** How much the switch loses: from the restore point's moment to the decision (emergency only). */
  rpoSeconds: number | null;
  datasets: { type: string; to: string; method: string; verified?: { files: number; bytes: number; partitions?: number } }[];
  /** An emergency: the live replicas of its replicated tables, how far behind, and whether they are what is promoted. */
  replicas?: LiveReplicas;
  /** failback: what the old primary holds that the new one never got, kept in quarantine snapshots. */
  lostWrites?: { dataset: string; quarantine: string; changes: string[] }[];
}

export const newReport = (command: PairReport['command'], dryRun: boolean): PairReport => ({
  command,
  result: 'failed',
  dryRun,
  from: null,
  to: null,
  epoch: null,
  durationMs: 0,
  endpoint: null,
  services: [],
  warnings: [],
});

/** Both sites as they answer now: reachable or not, healthy or not, the identity and the claims each holds. */
export async function pairStatus(pair: [NamedCluster, NamedCluster], io: FlowIo): Promise<SiteStatus[]> {
  return (await siteStatuses(pair, { fetch: io.fetch, now: io.now }, 10_000, 30_000)).sites;
}

/** The claims both sites hold (a site that does not answer holds none that can be read now). */
export async function pairClaims(sites: Site[], statuses: SiteStatus[], now: Date): Promise<FoundOn[]> {
  const reachable = sites.filter((s) => statuses.find((x) => x.site === s.name)?.reachable);
  const found = await Promise.all(reachable.map(async (s) => (await readClaims(s.hdfs, now)).map((c) => ({ ...c, on: s }))));
  return found.flat();
}

export type FoundOn = FoundClaim & { on: Site };

/**
 * What the claims on the two sites mean now. `live`: a run holds one (it excludes every other);
 * `failover`: a failover died after its new primary took the primary identity (finished by the next
 * failover); `failback`: a failback died at the current epoch (carried on by the next failback);
 * `fresh`: a failover died before anything was switched (its epoch is the next one: taken over by the
 * next failover); `obsolete`: claims of changes the identities show complete or superseded, removed.
 */
export function claimsNow(claims: FoundOn[], sites: SiteStatus[]) {
  const top = Math.max(...sites.map((s) => s.identity?.epoch ?? 0));
  const primaryAt = (site: string, epoch: number) => {
    const id = sites.find((s) => s.site === site)?.identity;
    return id?.role === 'primary' && id.epoch === epoch && top === epoch;
  };
  const out = {
    live: claims.find((c) => !c.gone),
    failover: undefined as FoundOn | undefined,
    failback: undefined as FoundOn | undefined,
    fresh: undefined as FoundOn | undefined,
    obsolete: [] as FoundOn[],
  };
  for (const c of claims.filter((x) => x.gone)) {
    const r = c.record;
    if (r?.command === 'failover' && primaryAt(r.to, r.epoch)) out.failover = c;
    else if (r?.command === 'failback' && primaryAt(r.to, r.epoch)) out.failback = c;
    else if (r?.command === 'failover' && r.epoch === top + 1 && c.on.name === r.to) out.fresh = c;
    else out.obsolete.push(c);
  }
  return out;
}

/**
 * The pair as it stands before a failover or failback decides anything: both sites' health and
 * identities, a performer over both, and what the claims they hold mean. A live claim stops the run.
 */
export async function pairNow(pair: [NamedCluster, NamedCluster], io: FlowIo) {
  const sites = await pairStatus(pair, io);
  const p = openPair(pair, io);
  const claims = claimsNow(await pairClaims(Object.values(p.sites), sites, io.now()), sites);
  if (claims.live) throw new LockedError(`${claims.live.on.name}: ${describeClaim(claims.live)}; nothing was changed`);
  return { sites, p, claims };
}

/** Removing claims that no longer mean anything, as a step of its own. */
export const cleanupStep = (obsolete: FoundOn[]): Step[] =>
  obsolete.length
    ? [
        {
          id: 'clean-up',
          title: 'clean-up: claims of changes already complete or superseded, files of runs that died',
          changes: obsolete.map((c) => httpChange(c.on, ops.delete(c.path))),
        },
      ]
    : [];

export const roles = (primary: NamedCluster, secondary: NamedCluster): Roles => ({ primary, secondary, from: 'identity' });

/** A cluster's fence or onPromote hooks, as changes run on this host. */
export function siteHooks(cluster: NamedCluster, which: 'fence' | 'onPromote', env: { role: string; epoch: number }): Change[] {
  const vars = { HBACKUP_SITE: cluster.name, HBACKUP_ROLE: env.role, HBACKUP_EPOCH: String(env.epoch), HBACKUP_FS_DEFAULTFS: cluster.fs };
  return cluster.hooks[which].map((argv) => commandChange('local', { argv, env: vars }));
}

/** Run a cluster's hooks in order; the first that fails stops them, and says which. */
export const runSiteHooks = (p: Performer, cluster: NamedCluster, changes: Change[], which: string): Promise<void> =>
  runHookChanges(p, changes, `${cluster.name}: ${which}`, cluster.hooks.timeoutSeconds * 1000);

/** HDFS safe mode on or off, with the site's own `hdfs dfsadmin`: a read-only old primary diverges no further. */
export const safeMode = (site: Site, action: 'enter' | 'leave'): Change =>
  commandChange(site.name, site.tool('hdfs', ['dfsadmin', '-fs', site.cluster.fs, '-safemode', action]));

/**
 * Writing a site's identity, as a step: its calls planned now, made by writeIdentity, which finds a
 * write already made by this run or by the dead runs it carries on (`mine`, known once it holds the claim).
 */
export function identityStep(
  site: Site,
  change: IdentityChange,
  now: () => Date,
  mine: { before: Writer[] } = { before: [] },
  /** What is known only when the step runs (a promotion: the restore points served). */
  known: () => Partial<IdentityChange> = () => ({}),
): Step {
  const data = `${JSON.stringify(identityRecord({ ...change, ...known() }, now()), null, 2)}\n`;
  return {
    id: `identity ${site.name} ${change.role} ${change.epoch}`,
    title: `identity: ${site.name} ${change.role} at epoch ${change.epoch}`,
    changes: identityWrites(change).map((r) => httpChange(site, r, r.op === 'CREATE' ? data : undefined)),
    run: async () => void (await writeIdentity(site.hdfs, { ...change, ...known() }, now(), undefined, mine.before)),
    recorded: true,
  };
}

/** The claim a failover or failback takes on a site, as the calls it sends: made, recorded into after each step, removed. */
export function claimPlan(site: Site, epoch: number, takeOver: FoundClaim | undefined) {
  return {
    claim: {
      id: 'claim',
      title: `claim epoch ${epoch} on ${site.name}`,
      changes: claimChanges(epoch, takeOver).map((r) => httpChange(site, r)),
    },
    record: httpChange(site, ops.create(claimPath(epoch), true)),
    release: { id: 'release', title: `release the claim on ${site.name}`, changes: [httpChange(site, ops.delete(claimPath(epoch)))] },
  };
}

/**
 * Run a failover's or failback's steps under its claim: the claim taken (or a dead run's taken
 * over), then the steps before the point of no return (one that fails gives the claim back: nothing
 * was switched), then the recorded ones, each recorded as done (one that fails leaves the claim for
 * the next run, its lease ended, and `again` says what to run), then the claim released.
 */
export async function underClaim(
  held: ReturnType<typeof claimPlan>,
  claiming: { site: Site; decision: ClaimDecision; takeOver: FoundOn | undefined },
  steps: { first: Step[]; recorded: Step[]; done: ReadonlySet<string> },
  r: Omit<StepRun, 'done' | 'record' | 'recordChange'> & { report: PairReport; mine: { before: Writer[] }; again: string; now: () => Date },
): Promise<void> {
  const { site, decision, takeOver } = claiming;
  const claim = await claimEpoch(site.hdfs, decision, r.now, (t) => r.progress.warn(t), takeOver);
  r.made.push(...planOf([held.claim]));
  r.mine.before = claim.record.before;
  if (claim.takenOver) r.report.resumed = describeClaim({ path: claim.path, epoch: decision.epoch, record: claim.takenOver, gone: true });
  const run = { ...r, done: new Set<string>(), record: async () => undefined };
  try {
    await runSteps(steps.first, run);
  } catch (e) {
    // Nothing was switched: the claim goes, so nothing blocks the next run.
    await claim.release();
    throw e;
  }
  await runSteps(steps.recorded, { ...run, done: steps.done, record: (id) => claim.done(id), recordChange: held.record }).catch(
    async (e: Error) => {
      // Past the point of no return: the claim stays, with what is done, for the next run to carry on.
      await claim
        .abandon()
        .catch((a: Error) => r.report.warnings.push(`${site.name}: the claim could not be left for the next run: ${a.message}`));
      throw new HbackupError(`${e.message}; ${r.again}`);
    },
  );
  await claim.release();
  r.made.push(...planOf([held.release]));
}

export const endpointOf = (c: NamedCluster): NonNullable<PairReport['endpoint']> => ({
  site: c.name,
  fsDefaultFS: c.fs,
  hbaseZookeeperQuorum: c.hbase?.zookeeper ?? null,
});
