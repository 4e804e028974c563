/**
 * What a flow works with: the service's policy, its two sites (roles decided by sites/roles.ts),
 * the initiator whose tools copy, the options it was given, and its I/O — process runner, fetch,
 * clock, progress — passed in, so tests run flows in-process against fakes.
 */
import { type NamedCluster, type ResolvedPolicy, swapped } from '../config/load.js';
import type { Policy } from '../config/schema.js';
import type { Runner } from '../exec/runner.js';
import type { Spawner } from '../exec/session.js';
import type { PutData } from '../hdfs/put-data.js';
import type { FetchLike } from '../http/client.js';
import type { Roles } from '../sites/roles.js';
import { openSite, type Site, type SiteIo } from '../sites/site.js';
import type { Performer } from './change.js';
import type { Progress } from './events.js';

export interface FlowIo {
  runner: Runner;
  spawn: Spawner;
  fetch?: FetchLike | undefined;
  putData?: PutData | undefined;
  now: () => Date;
  progress: Progress;
  /** Where per-service locks live (HBACKUP_STATE_DIR). */
  stateDir: string;
}

/** What only a backup is told: how it copies. No other flow carries them. */
export interface CopyOptions {
  full: boolean;
  noFallback: boolean;
  checksums: boolean;
  /** Checksum every file even after an incremental copy (by default only what the diff touched). */
  allChecksums: boolean;
  adoptTarget: boolean;
  /** Leave HBase replication alone (a failover's last backup: the old primary's peers are being removed). */
  noReplication?: boolean;
}

export interface FlowContext extends Performer {
  service: string;
  policy: Policy;
  primary: Site;
  secondary: Site;
  /** The site whose tools copy (push: the primary; pull: the secondary). */
  initiator: Site;
  now: () => Date;
  progress: Progress;
}

/** How a flow's sites reach their clusters: its fetch and upload, every call logged under --verbose. */
/** A backup's context: a flow's, with how it copies. */
export interface BackupContext extends FlowContext {
  /** With dryRun, plans read what a run only reads when it copies (a direct copy's calls). */
  options: CopyOptions & { dryRun?: boolean };
}

export const siteIoOf = (io: FlowIo): SiteIo => ({
  runner: io.runner,
  spawn: io.spawn,
  fetch: io.fetch,
  putData: io.putData,
  debug: (text) => io.progress.debug(text),
  warn: (text) => io.progress.warn(text),
});

/**
 * The policy as seen from the roles of the moment. A data set names its path on the clusters file's
 * primary and its `target` on the other site; once the roles are swapped (failover), the site that
 * holds the data is the other one, so each side's path swaps with it.
 */
export function policyFor(rp: ResolvedPolicy, roles: Roles): Policy {
  const home = rp.pair.find((c) => c.role === 'primary');
  if (!home || home.name === roles.primary.name) return rp.policy;
  const datasets = rp.policy.datasets.map((d) => {
    const key = d.hdfs !== undefined ? 'hdfs' : d.hive !== undefined ? 'hive' : 'hbase';
    const here = d[key] as string;
    const s = swapped({ source: here, target: d.target ?? here });
    return { ...d, [key]: s.source, target: s.target };
  });
  return { ...rp.policy, datasets };
}

/** The sites a run has opened, by cluster name: each is opened once per run (its clients, tokens, connections). */
const opened = new WeakMap<FlowIo, Map<string, Site>>();

/** A cluster's site for this run: opened the first time, the same one after. */
export function siteOf(cluster: NamedCluster, io: FlowIo): Site {
  const sites = opened.get(io) ?? new Map<string, Site>();
  opened.set(io, sites);
  const site = sites.get(cluster.name) ?? openSite(cluster, siteIoOf(io));
  sites.set(cluster.name, site);
  return site;
}

export function openFlow(rp: ResolvedPolicy, roles: Roles, io: FlowIo): FlowContext {
  const primary = siteOf(roles.primary, io);
  const secondary = siteOf(roles.secondary, io);
  return {
    service: rp.policy.service,
    policy: policyFor(rp, roles),
    primary,
    secondary,
    initiator: rp.policy.copy.initiator === 'primary' ? primary : secondary,
    now: io.now,
    progress: io.progress,
    sites: { [primary.name]: primary, [secondary.name]: secondary },
    runner: io.runner,
    spawn: io.spawn,
    debug: (text: string) => io.progress.debug(text),
  };
}

/** A performer over both sites of a pair, for the changes of flows that act on both beyond one service. */
export function openPair(pair: NamedCluster[], io: FlowIo): Performer & { site: (name: string) => Site } {
  const sites = Object.fromEntries(pair.map((c) => [c.name, siteOf(c, io)]));
  return { sites, runner: io.runner, spawn: io.spawn, debug: (t) => io.progress.debug(t), site: (name) => sites[name]! };
}
