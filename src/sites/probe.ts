/**
 * One site's health, read within a deadline: does WebHDFS answer and how fast, the NameNode's HA
 * state and safe mode, live and dead DataNodes and capacity (NameNode JMX), the HBase master and its
 * region servers (master JMX, when the clusters file names its info port), the site's identity,
 * and its clock against this host. A site that hangs costs the deadline, never more.
 */
import type { NamedCluster } from '../config/load.js';
import { cleanLine } from '../errors.js';
import type { Runner } from '../exec/runner.js';
import type { FetchLike } from '../http/client.js';
import { jmx } from '../http/servlets.js';
import { type FoundClaim, readClaims } from '../identity/claim.js';
import { type Identity, readIdentity } from '../identity/identity.js';
import { type Clock, clockOf } from './checks.js';
import { fetchOf, openSite } from './site.js';

export interface SiteHealth {
  site: string;
  reachable: boolean;
  latencyMs: number | null;
  error?: string;
  namenode: { endpoint: string; state: string | null; safemode: boolean | null };
  datanodes: { live: number; dead: number } | null;
  capacity: { totalBytes: number; remainingBytes: number } | null;
  hbase: { activeMaster: boolean; regionServers: number; deadRegionServers: number } | null;
  identity: Identity | null;
  /** Claims of a failover or failback on the site: under way, or left by a run that died. */
  claims: FoundClaim[];
  /** How far the site's clock is from this host's, at least (whole-second Date headers). */
  clockSkewMs: number | null;
  /** The site's clock minus this host's (signed, to the second): sites compare with each other through it. */
  clockOffsetMs: number | null;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));

export async function probeSite(
  cluster: NamedCluster,
  io: { fetch?: FetchLike | undefined; now: () => Date; runner?: Runner | undefined },
  timeoutMs: number,
): Promise<SiteHealth> {
  const fetchImpl: FetchLike = fetchOf(cluster, io);
  const site = openSite(cluster, { fetch: io.fetch, timeoutMs, ...(io.runner ? { runner: io.runner } : {}) });
  const health: SiteHealth = {
    site: cluster.name,
    reachable: false,
    latencyMs: null,
    namenode: { endpoint: site.hdfs.endpoint, state: null, safemode: null },
    datanodes: null,
    capacity: null,
    hbase: null,
    identity: null,
    claims: [],
    clockSkewMs: null,
    clockOffsetMs: null,
  };
  let clock: Clock;
  try {
    clock = await clockOf(site, io.now);
  } catch (e) {
    health.error = cleanLine((e as Error).message, 240);
    return health;
  }
  Object.assign(health, {
    reachable: true,
    latencyMs: clock.latencyMs,
    clockSkewMs: clock.skewMs ?? null,
    clockOffsetMs: clock.offsetMs ?? null,
  });
  health.namenode.endpoint = site.hdfs.endpoint;
  const q = (query: string, base = site.hdfs.endpoint) => jmx(fetchImpl, base, query, timeoutMs).catch(() => undefined);
  const [status, fsn, info, master, identity, claims] = await Promise.all([
    q('Hadoop:service=NameNode,name=NameNodeStatus'),
    q('Hadoop:service=NameNode,name=FSNamesystem'),
    q('Hadoop:service=NameNode,name=NameNodeInfo'),
    cluster.hbase?.masterInfo ? q('Hadoop:service=HBase,name=Master,sub=Server', cluster.hbase.masterInfo) : Promise.resolve(undefined),
    readIdentity(site.hdfs).catch((e: Error) => {
      health.error = e.message;
      return undefined;
    }),
    readClaims(site.hdfs, io.now()).catch((e: Error) => {
      health.error = `its claims cannot be read: ${e.message}`;
      return [];
    }),
  ]);
  health.identity = identity ?? null;
  health.claims = claims;
  if (status) health.namenode.state = String(status.State ?? '') || null;
  // A Kerberized NameNode's JMX asks for SPNEGO; WebHDFS, with the token, reached the active one (a standby refuses).
  else if (cluster.kerberos) health.namenode.state = 'active';
  if (info) health.namenode.safemode = String(info.Safemode ?? '') !== '';
  if (fsn) {
    health.datanodes = { live: num(fsn.NumLiveDataNodes), dead: num(fsn.NumDeadDataNodes) };
    health.capacity = { totalBytes: num(fsn.CapacityTotal), remainingBytes: num(fsn.CapacityRemaining) };
  }
  if (cluster.hbase?.masterInfo) {
    health.hbase = master
      ? {
          activeMaster: String(master['tag.isActiveMaster']) === 'true',
          regionServers: num(master.numRegionServers),
          deadRegionServers: num(master.numDeadRegionServers),
        }
      : { activeMaster: false, regionServers: 0, deadRegionServers: 0 };
  }
  return health;
}
