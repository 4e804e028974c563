/**
 * `status`: both sites probed at once, each within a deadline; which one is the primary (from the
 * identities the sites hold, else the clusters file) and whether one is stale; per service its
 * newest restore point and whether it is overdue; one level — OK, WARNING or CRITICAL — and the site
 * applications should use now.
 */
import os from 'node:os';
import type { NamedCluster } from '../config/load.js';
import { describeClaim } from '../identity/claim.js';
import { probeSite, type SiteHealth } from './probe.js';
import { rolesFrom } from './roles.js';

export type Level = 'OK' | 'WARNING' | 'CRITICAL';
const rank: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };
export const worst = (levels: Level[]): Level => levels.reduce<Level>((a, b) => (rank[b] > rank[a] ? b : a), 'OK');

export interface SiteStatus extends SiteHealth {
  role: 'primary' | 'secondary';
  roleFrom: 'identity' | 'clusters file';
  stale: boolean;
  level: Level;
}

export interface Problem {
  level: Level;
  site?: string;
  message: string;
}

/** Is a host name one of this machine's own (non-loopback) addresses? */
function isThisHost(host: string): boolean {
  const names = new Set([os.hostname().toLowerCase()]);
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (!a.internal) names.add(a.address);
  return names.has(host.toLowerCase());
}

export async function siteStatuses(
  pair: [NamedCluster, NamedCluster],
  io: { fetch?: Parameters<typeof probeSite>[1]['fetch']; now: () => Date },
  timeoutMs: number,
  maxSkewMs: number,
): Promise<{ sites: SiteStatus[]; problems: Problem[]; applicationTarget: string | null }> {
  const healths = await Promise.all(pair.map((c) => probeSite(c, io, timeoutMs)));
  const problems: Problem[] = [];
  // A site that does not answer holds the other role than the one that answers (null: not read).
  const ids = healths.map((h) => (h.reachable ? (h.identity ?? undefined) : null));
  const top = Math.max(...ids.map((i) => i?.epoch ?? 0));
  const held = rolesFrom(pair, ids);
  const sites: SiteStatus[] = healths.map((h, k) => ({
    ...h,
    role: held[k]!.role,
    roleFrom: held[k]!.from,
    stale: held[k]!.stale,
    level: 'OK',
  }));
  if (!ids.some(Boolean))
    problems.push({ level: 'WARNING', message: 'no site holds an identity yet: roles come from the clusters file; run hbackup init' });
  for (const s of sites) {
    const add = (level: Level, message: string) => {
      problems.push({ level, site: s.site, message: `${s.site} (${s.role}): ${message}` });
      s.level = worst([s.level, level]);
    };
    const severe: Level = s.role === 'primary' ? 'CRITICAL' : 'WARNING';
    for (const c of s.claims) {
      const next = c.record?.command === 'failback' ? 'hbackup failback' : 'hbackup failover';
      if (c.gone) add('WARNING', `${describeClaim(c)}: the next ${next} carries it on (run it again to finish it)`);
      else problems.push({ level: 'OK', site: s.site, message: `${s.site} (${s.role}): ${describeClaim(c)}` });
    }
    if (s.stale)
      add('WARNING', `stale: it claims primary at epoch ${s.identity?.epoch}, the other site holds epoch ${top}; run hbackup failback`);
    if (!s.reachable) {
      add(severe, `not reachable: ${s.error ?? 'no answer'}`);
      continue;
    }
    if (s.namenode.state && s.namenode.state !== 'active') add(severe, `the NameNode answering is ${s.namenode.state}`);
    if (s.namenode.safemode) add(severe, 'HDFS is in safe mode (read-only)');
    if (s.datanodes && s.datanodes.live === 0) add(severe, 'no live DataNode');
    else if (s.datanodes?.dead) add('WARNING', `${s.datanodes.dead} dead DataNode(s)`);
    if (s.hbase && !s.hbase.activeMaster) add(severe, 'no active HBase master answers');
    else if (s.hbase?.deadRegionServers) add('WARNING', `${s.hbase.deadRegionServers} dead region server(s)`);
    if (s.clockSkewMs !== null && s.clockSkewMs > maxSkewMs)
      add('WARNING', `clock ${(s.clockSkewMs / 1000).toFixed(1)} s away from this host's`);
    if (s.role === 'primary' && s.namenode.endpoint && isThisHost(new URL(s.namenode.endpoint).hostname)) {
      add('WARNING', 'this control host is a node of the primary: a failure of the primary would take hbackup with it');
    }
  }
  const [x, y] = sites;
  if (x?.clockOffsetMs != null && y?.clockOffsetMs != null && Math.abs(x.clockOffsetMs - y.clockOffsetMs) > maxSkewMs + 1000) {
    const between = Math.abs(x.clockOffsetMs - y.clockOffsetMs) / 1000;
    problems.push({
      level: 'WARNING',
      message: `the clocks of ${x.site} and ${y.site} are ${between.toFixed(1)} s apart: fix NTP (moments and retention rely on one clock)`,
    });
  }
  const primary = sites.find((s) => s.role === 'primary' && !s.stale);
  return { sites, problems, applicationTarget: primary?.site ?? null };
}
