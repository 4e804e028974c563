/**
 * An emergency failover's second target for a service whose HBase tables replicate: the live
 * replicas on the secondary, seconds behind, each table on its own — beside the restore point,
 * consistent across the service's data sets, the RPO of the last cycle. How far behind the replicas
 * are is read where it can be: from the old primary's replication sources when its HBase answers (the
 * lag of the service's peer), else from the secondary's sinks (when the newest edit they applied was
 * written: they cannot tell a peer from another). Read-only; one HBase shell per site.
 */
import type { ResolvedPolicy } from '../../config/load.js';
import { type Change, look, type Performer, shellChange } from '../../core/change.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import { PreflightError, UsageError } from '../../errors.js';
import { peerId, type ReplicationState, readReplication } from '../../hbase/replication.js';
import { statements } from '../../hbase/shell.js';
import { rootPath, rubyString, tableDir } from '../../hbase/tables.js';
import type { Site } from '../../sites/site.js';

/** The live replicas of a service, as a failover offers them. */
export interface LiveReplicas {
  tables: string[];
  /** How far behind the old primary's sources were, at the plan (null: not known). */
  lagSeconds: number | null;
  /** When the newest edit the secondary applied was written, and how long before the plan (the sinks; null: not read or none). */
  newestEditAt: string | null;
  newestEditAgeSeconds: number | null;
  /** Where the figure comes from. */
  measuredOn: string;
  /** Promoted as the service's tables (--replicas), instead of the restore point's snapshots. */
  used: boolean;
}

/** Which services --replicas names: every replicating one (true), or those listed, each checked. */
export function replicasWanted(services: ResolvedPolicy[], wanted: true | string[] | undefined): Set<string> {
  const replicating = services.filter((rp) => replicatedTables(rp.policy).length).map((rp) => rp.policy.service);
  if (wanted === undefined) return new Set();
  if (wanted === true) {
    if (!replicating.length) throw new UsageError('--replicas: no service of --policies replicates an HBase table (replication: true)');
    return new Set(replicating);
  }
  const unknown = wanted.filter((s) => !replicating.includes(s));
  if (unknown.length)
    throw new UsageError(
      `--replicas: ${unknown.join(', ')} ${unknown.length > 1 ? 'replicate' : 'replicates'} no HBase table; services with replicas: ${replicating.join(', ') || 'none'}`,
    );
  return new Set(wanted);
}

/** A site's peers, sources and sinks as one shell reads them, or undefined when its HBase does not answer in time. */
async function readOr(p: Performer, site: Site, timeoutMs: number): Promise<ReplicationState | undefined> {
  return readReplication((cmd, o) => look(p, cmd, { ...o, timeoutMs }), site.tool('hbase', ['shell', '-n']), [], site.name).catch(
    () => undefined,
  );
}

/**
 * The live replicas of each replicating service, as they stand: the tables the new primary holds,
 * and how far behind they are. A replica missing on the new primary refuses --replicas for its service.
 */
export async function liveReplicas(
  p: Performer,
  services: ResolvedPolicy[],
  old: Site | undefined,
  next: Site,
  use: Set<string>,
  now: Date,
): Promise<Map<string, LiveReplicas>> {
  const out = new Map<string, LiveReplicas>();
  const all = services.flatMap((rp) => replicatedTables(rp.policy));
  if (!all.length) return out;
  const source = old ? await readOr(p, old, 60_000) : undefined;
  const sinks = source ? undefined : await readOr(p, next, 60_000);
  const root = rootPath(next.cluster);
  const problems: string[] = [];
  for (const rp of services) {
    const tables = replicatedTables(rp.policy);
    if (!tables.length) continue;
    const { service } = rp.policy;
    const used = use.has(service);
    if (used)
      for (const t of tables)
        if (!root || !(await next.hdfs.getFileStatus(`${tableDir(root, t)}/.tabledesc`)))
          problems.push(`${service}: no replica of ${t} on ${next.name}: promote its restore point instead (without --replicas)`);
    out.set(service, { tables, used, ...lagOf(source, sinks, peerId(service), old, next, now) });
  }
  if (problems.length) throw new PreflightError(problems);
  return out;
}

/** The figure, from the old primary's sources of the peer, else from the new primary's sinks. */
export function lagOf(
  source: ReplicationState | undefined,
  sinks: ReplicationState | undefined,
  peer: string,
  old: Site | undefined,
  next: Site,
  now: Date,
): Pick<LiveReplicas, 'lagSeconds' | 'newestEditAt' | 'newestEditAgeSeconds' | 'measuredOn'> {
  const none = { lagSeconds: null, newestEditAt: null, newestEditAgeSeconds: null };
  const mine = source?.sources.filter((s) => s.peer === peer) ?? [];
  if (old && mine.length)
    return { ...none, lagSeconds: Math.max(...mine.map((s) => s.lagMs)) / 1000, measuredOn: `${old.name}'s replication sources` };
  const newest = Math.max(0, ...(sinks?.sinks ?? []).map((s) => s.lastAppliedWrittenMs));
  if (newest > 0)
    return {
      ...none,
      newestEditAt: new Date(newest).toISOString(),
      newestEditAgeSeconds: Math.max(0, Math.round((now.getTime() - newest) / 1000)),
      measuredOn: `${next.name}'s replication sinks (every peer into it)`,
    };
  const why = source ? `${old?.name} reports no source of ${peer}` : `${old ? `${old.name}'s HBase` : 'the old primary'} did not answer`;
  return { ...none, measuredOn: `not known (${why})` };
}

/** The replicas served as they are: each enabled if something left it disabled. */
export const enableReplicas = (site: Site, tables: string[]): Change =>
  shellChange(
    site,
    tables.map((t) => `${statements.enable(t)} unless is_enabled(${rubyString(t)})`),
  );

/** In words, for the plan and the question: how far behind the replicas are. */
export function behind(r: Omit<LiveReplicas, 'tables' | 'used'>): string {
  if (r.lagSeconds !== null) return `${r.lagSeconds.toFixed(1)} s behind (${r.measuredOn})`;
  if (r.newestEditAgeSeconds !== null) return `the newest edit they got was written ${r.newestEditAgeSeconds} s before (${r.measuredOn})`;
  return `how far behind is ${r.measuredOn}`;
}
