/**
 * What failover and failback share: the services of a policy directory that run between the two
 * sites, the sites as they answer now (identities, health), the clusters' own hooks, safe mode,
 * and the report both commands print.
 */
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { policyFiles, resolvePolicy } from '../config/load.js';
import { PreflightError } from '../errors.js';
import { type Change, commandChange, type Performer, runHookChanges } from '../flow/change.js';
import { type FlowIo, siteIoOf } from '../flow/context.js';
import type { Outcome } from '../flow/outcome.js';
import { type SiteStatus, siteStatuses } from '../sites/health.js';
import type { Roles } from '../sites/roles.js';
import { openSite, type Site } from '../sites/site.js';

/** What failover and failback are told: plan only, ask or not, and how to ask. */
export interface PairOptions {
  dryRun: boolean;
  yes: boolean;
  confirm: ((question: string) => Promise<boolean>) | undefined;
}

/** The flow options of the backups and restores they run: incremental, with fallback, as the policies say. */
export const FLOW = { full: false, noFallback: false, checksums: false, adoptTarget: false };

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
  /** failback --switch: the switchover that followed. */
  switched?: { epoch: number | null; services: ServiceReport[] };
  /** How long it took, command start to the new endpoint known (the RTO of a failover). */
  durationMs: number;
  endpoint: { site: string; fsDefaultFS: string; hbaseZookeeperQuorum: string | null } | null;
  services: ServiceReport[];
  planned?: { step: string; site: string; change: string }[];
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
  datasets: { type: string; to: string; method: string; verified?: { files: number; bytes: number } }[];
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

/** Both sites as they answer now: reachable or not, healthy or not, and the identity each holds. */
export async function pairStatus(pair: [NamedCluster, NamedCluster], io: FlowIo): Promise<SiteStatus[]> {
  return (await siteStatuses(pair, { fetch: io.fetch, now: io.now }, 10_000, 30_000)).sites;
}

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

export const endpointOf = (c: NamedCluster): NonNullable<PairReport['endpoint']> => ({
  site: c.name,
  fsDefaultFS: c.fs,
  hbaseZookeeperQuorum: c.hbase?.zookeeper ?? null,
});
