/**
 * `status --policies`, for a service with replicated HBase tables: its peer on the primary (enabled,
 * disabled, gone) and how far behind it is, from the replication sources the region servers last
 * reported to the master. CRITICAL when the peer is disabled or gone behind hbackup's back (edits
 * queue, or nothing replicates, and the WALs kept for it fill HDFS), or a table left it; WARNING
 * past the policy's lag, CRITICAL past ten times that (the queue is not shipping).
 */
import type { Policy } from '../../config/schema.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import type { Runner } from '../../exec/runner.js';
import { peerId, readReplication } from '../../hbase/replication.js';
import type { Problem } from '../../sites/health.js';
import type { Site } from '../../sites/site.js';

export interface ReplicationStatus {
  peer: string;
  /** The peer as the primary holds it. */
  state: 'enabled' | 'disabled' | 'missing';
  tables: string[];
  /** The largest lag of the peer's sources (null: no source reported one). */
  lagSeconds: number | null;
  /** WAL files queued for the peer, over every region server. */
  logQueue: number | null;
}

export async function replicationStatus(
  policy: Pick<Policy, 'service' | 'datasets' | 'replication'>,
  primary: Site,
  runner: Runner,
  problems: Problem[],
): Promise<ReplicationStatus | undefined> {
  const tables = replicatedTables(policy);
  if (!tables.length) return undefined;
  const peer = peerId(policy.service);
  const state = await readReplication(runner, primary.tool('hbase', ['shell', '-n']), tables, primary.name);
  const mine = state.peers.find((p) => p.id === peer);
  const sources = state.sources.filter((s) => s.peer === peer);
  const lagMs = sources.length ? Math.max(...sources.map((s) => s.lagMs)) : null;
  const status: ReplicationStatus = {
    peer,
    state: !mine ? 'missing' : mine.enabled ? 'enabled' : 'disabled',
    tables,
    lagSeconds: lagMs === null ? null : lagMs / 1000,
    logQueue: sources.length ? sources.reduce((n, s) => n + s.logQueue, 0) : null,
  };
  const { service } = policy;
  const max = policy.replication.maxLagSeconds;
  if (!mine) {
    problems.push({
      level: 'CRITICAL',
      message: `${service}: replication peer ${peer} is gone from ${primary.name}: nothing replicates; the next backup sets it up again`,
    });
    return status;
  }
  if (!mine.enabled)
    problems.push({
      level: 'CRITICAL',
      message: `${service}: replication peer ${peer} on ${primary.name} is disabled: edits queue and their WALs are kept until it is enabled (enable_peer '${peer}', or the next backup)`,
    });
  const left = tables.filter((t) => mine.tables !== undefined && !mine.tables.includes(t));
  if (left.length)
    problems.push({
      level: 'CRITICAL',
      message: `${service}: ${left.join(', ')} no longer in replication peer ${peer}: the next backup sets it up again`,
    });
  if (status.lagSeconds !== null && status.lagSeconds > max)
    problems.push({
      level: status.lagSeconds > 10 * max ? 'CRITICAL' : 'WARNING',
      message: `${service}: replication peer ${peer} is ${status.lagSeconds.toFixed(1)} s behind (the policy allows ${max} s), ${status.logQueue} WAL file(s) queued`,
    });
  return status;
}
