/**
 * Replication of a service's HBase tables, set up by its backups without losing an edit: before the
 * moment the service's peer is added disabled (or disabled) on the primary, each new table joins it
 * and its families go to scope 1 — from then on every edit queues for the peer; the moment's
 * snapshot is exported as for any restore point; once that point is recorded, the snapshot is
 * cloned on the secondary as the replica table and the peer enabled, so the queued edits follow the
 * snapshot. A table whose peer, scopes and replica are in place needs nothing: a second run changes
 * nothing. Planned read-only (one HBase shell on the primary, WebHDFS on the secondary).
 */
import { fullTableName } from '../../config/load.js';
import type { Policy } from '../../config/schema.js';
import { type Change, look, shellChange } from '../../core/change.js';
import { PreflightError } from '../../errors.js';
import { clusterKey, type Peer, peerId, readReplication, replicationStatements as rs, type TableScopes } from '../../hbase/replication.js';
import { statements } from '../../hbase/shell.js';
import { parseTable, rootPath, tableDir, tableSnapshotName } from '../../hbase/tables.js';
import type { BackupContext } from '../kind.js';

export interface ReplicationPlan {
  peer: string;
  /** The service's replicated tables. */
  tables: string[];
  /** Tables this run sets up (their replica cloned from this run's snapshot). */
  bootstrap: string[];
  /** In words: in place, or what this run does and why. */
  reason: string;
  /** On the primary, before the moment: the peer added or disabled, tables joined, families at scope 1. */
  before: Change[];
  /** Once the restore point is recorded: replicas cloned on the secondary, the peer enabled. */
  after: Change[];
}

/** The policy's tables kept by replication. */
export const replicatedTables = (policy: Pick<Policy, 'datasets'>): string[] =>
  policy.datasets.flatMap((d) => (d.hbase !== undefined && d.replication ? [fullTableName(d.hbase)] : []));

export async function planReplication(ctx: BackupContext, runSnapshot: string): Promise<ReplicationPlan | undefined> {
  const tables = replicatedTables(ctx.policy);
  if (!tables.length) return undefined;
  const { primary, secondary } = ctx;
  const key = clusterKey(secondary.cluster);
  if (!key)
    throw new PreflightError([
      `clusters.${secondary.name}.hbase.zookeeper is needed for replication (host:port,… with one port; znodeParent if not /hbase)`,
    ]);
  const peer = peerId(ctx.service);
  const state = await readReplication((cmd, o) => look(ctx, cmd, o), primary.tool('hbase', ['shell', '-n']), tables, primary.name);
  const mine = state.peers.find((p) => p.id === peer);
  if (mine && mine.clusterKey !== key)
    throw new PreflightError([
      `peer ${peer} on ${primary.name} ships to ${mine.clusterKey}, not to ${secondary.name} (${key}): remove it (remove_peer '${peer}') or fix the clusters file`,
    ]);
  const targetRoot = rootPath(secondary.cluster)!;
  const replicas = new Set<string>();
  const namespaces = new Set<string>();
  for (const t of tables) {
    if (await secondary.hdfs.getFileStatus(`${tableDir(targetRoot, t)}/.tabledesc`)) replicas.add(t);
    const ns = parseTable(t).namespace;
    if (await secondary.hdfs.getFileStatus(`${targetRoot}/data/${ns}`)) namespaces.add(ns);
  }
  const d = decideReplication({ peer, key, tables, peers: state.peers, scopes: state.tables, replicas, namespaces, runSnapshot });
  const after: Change[] = [];
  if (d.clones.length) after.push(shellChange(secondary, d.clones));
  if (d.enable) after.push(shellChange(primary, [rs.enablePeer(peer)]));
  return {
    peer,
    tables,
    bootstrap: d.bootstrap,
    reason: d.reason,
    before: d.before.length ? [shellChange(primary, d.before)] : [],
    after,
  };
}

export interface ReplicationFacts {
  peer: string;
  /** The secondary's cluster key. */
  key: string;
  tables: string[];
  /** The primary's peers, and its tables' families with their scopes. */
  peers: Peer[];
  scopes: TableScopes[];
  /** Tables and namespaces the secondary holds. */
  replicas: Set<string>;
  namespaces: Set<string>;
  runSnapshot: string;
}

/**
 * What a run does for replication, from what the sites hold: a table bootstraps when it is not in
 * the peer, a family of it is not replicated, or the secondary holds no replica; then the peer is
 * added disabled (or disabled) before the moment, and enabled after the replicas are cloned. A
 * peer found disabled with everything in place is enabled (its queued edits are kept).
 */
export function decideReplication(f: ReplicationFacts) {
  const mine = f.peers.find((p) => p.id === f.peer);
  const inPeer = (t: string) => Boolean(mine && (mine.tables === undefined || mine.tables.includes(t)));
  const before: string[] = [];
  const clones: string[] = [];
  const bootstrap: string[] = [];
  const why: string[] = [];
  const unscoped: [string, string[]][] = [];
  for (const t of f.scopes) {
    const low = (t.families ?? []).filter((x) => x.scope === 0).map((x) => x.name);
    if (low.length) unscoped.push([t.table, low]);
    if (inPeer(t.table) && !low.length && f.replicas.has(t.table)) continue;
    bootstrap.push(t.table);
    why.push(
      !inPeer(t.table)
        ? `${t.table} joins the peer`
        : low.length
          ? `${t.table}'s families ${low.join(', ')} are not replicated`
          : `no replica of ${t.table} on the secondary`,
    );
  }
  let enable = false;
  if (bootstrap.length) {
    const joining = bootstrap.filter((t) => !inPeer(t));
    if (!mine) before.push(rs.addPeer(f.peer, f.key, f.tables));
    else {
      if (mine.enabled) before.push(rs.disablePeer(f.peer));
      if (joining.length) before.push(rs.appendTables(f.peer, joining));
    }
    for (const [t, families] of unscoped) before.push(rs.scope(t, families));
    for (const t of bootstrap) {
      const ns = parseTable(t).namespace;
      // A replica that missed edits (a family not replicated, the table new to the peer) is made again.
      if (f.replicas.has(t)) clones.push(statements.disableIfEnabled(t), statements.drop(t));
      else if (ns !== 'default' && !f.namespaces.has(ns)) clones.push(statements.createNamespace(ns));
      clones.push(statements.clone(tableSnapshotName(f.runSnapshot, t), t));
    }
    enable = true;
  } else if (mine && !mine.enabled) {
    why.push(`peer ${f.peer} was disabled: the edits queued since are shipped`);
    enable = true;
  }
  return { bootstrap, reason: why.length ? why.join('; ') : 'in place', before, clones, enable };
}
