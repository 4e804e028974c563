/**
 * HBase cluster replication of a service's tables: one peer per service on the primary towards the
 * secondary (its cluster key from the clusters file), serial, limited to the service's tables, each
 * table's column families at replication scope 1. What a site holds is read through the HBase shell
 * (one marked line per peer, per column family and per region server's replication source, as the
 * servers last reported to the master); the changes are shell statements.
 */
import { fullTableName, type NamedCluster } from '../config/load.js';
import { ToolError } from '../errors.js';
import type { Command, RunOptions, RunResult } from '../exec/runner.js';
import { rubyString } from './tables.js';

/** The service's peer on the primary (HBase peer ids take no "-"). */
export const peerId = (service: string): string => `hbackup_${service.replace(/-/g, '_')}`;

/**
 * The cluster key other clusters replicate to this one by: `quorum:port:znode`, from the clusters
 * file's `hbase.zookeeper` (host:port, …; one port for all) and `hbase.znodeParent` (/hbase).
 */
export function clusterKey(cluster: NamedCluster): string | undefined {
  const zk = cluster.hbase?.zookeeper;
  if (!zk) return undefined;
  const hosts = zk.split(',').map((h) => h.trim());
  const ports = new Set(hosts.map((h) => /:(\d+)$/.exec(h)?.[1] ?? '2181'));
  if (ports.size !== 1) return undefined;
  const names = hosts.map((h) => h.replace(/:\d+$/, ''));
  return `${names.join(',')}:${[...ports][0]}:${cluster.hbase?.znodeParent ?? '/hbase'}`;
}

export interface Peer {
  id: string;
  enabled: boolean;
  serial: boolean;
  clusterKey: string;
  /** The tables it ships (namespace:table); undefined: every table with a replicated family. */
  tables: string[] | undefined;
}

/** A table's column families and their replication scope, as the primary holds them. */
export interface TableScopes {
  table: string;
  /** undefined: no such table. */
  families: { name: string; scope: number }[] | undefined;
}

/** One region server's replication source for a peer, as it last reported to the master. */
export interface Source {
  server: string;
  peer: string;
  /** Age of the last edit shipped, and how far behind the source is (ms). */
  ageOfLastShippedOpMs: number;
  lagMs: number;
  /** WAL files queued for the peer. */
  logQueue: number;
}

/** One region server's replication sink (edits other clusters shipped into this one), as it last reported. */
export interface Sink {
  server: string;
  /** When the newest edit it applied was written on the source cluster (ms since the epoch; 0: none yet). */
  lastAppliedWrittenMs: number;
}

export interface ReplicationState {
  peers: Peer[];
  tables: TableScopes[];
  sources: Source[];
  sinks: Sink[];
}

/** The Ruby that prints what a site holds: every peer, and the families of the tables asked for. */
export const readScript = (tables: string[]): string =>
  `$hbackup_conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
$hbackup_admin = $hbackup_conn.getAdmin
$hbackup_admin.listReplicationPeers.each do |p|
  c = p.getPeerConfig
  t = c.replicateAllUserTables ? '*' : (c.getTableCFsMap || {}).keys.map { |n| n.getNameWithNamespaceInclAsString }.join(',')
  puts "hbackup:peer #{p.getPeerId} #{p.isEnabled ? 'ENABLED' : 'DISABLED'} #{c.isSerial} #{c.getClusterKey} #{t}"
end
[${tables.map(rubyString).join(', ')}].each do |name|
  t = org.apache.hadoop.hbase.TableName.valueOf(name)
  if $hbackup_admin.tableExists(t)
    $hbackup_admin.getDescriptor(t).getColumnFamilies.each { |f| puts "hbackup:family #{name} #{f.getNameAsString} #{f.getScope}" }
  else
    puts "hbackup:missing #{name}"
  end
end
$hbackup_admin.getClusterMetrics(java.util.EnumSet.of(org.apache.hadoop.hbase.ClusterMetrics::Option::LIVE_SERVERS)).getLiveServerMetrics.each do |sn, m|
  m.getReplicationLoadSourceList.each do |s|
    puts "hbackup:source #{sn.getServerName} #{s.getPeerID} #{s.getAgeOfLastShippedOp} #{s.getReplicationLag} #{s.getSizeOfLogQueue}"
  end
  k = m.getReplicationLoadSink
  puts "hbackup:sink #{sn.getServerName} #{k.getTimestampsOfLastAppliedOp}" if k
end
$hbackup_conn.close
puts 'hbackup:read'
`;

/** What readScript printed. */
export function parseState(out: string, tables: string[]): ReplicationState {
  const peers: Peer[] = [];
  const sources: Source[] = [];
  const sinks: Sink[] = [];
  const families = new Map<string, { name: string; scope: number }[] | undefined>(tables.map((t) => [t, []]));
  for (const line of out.split('\n')) {
    const p = /^hbackup:peer (\S+) (ENABLED|DISABLED) (true|false) (\S+) ?(\S*)$/.exec(line.trim());
    if (p) {
      const list = p[5] ?? '';
      peers.push({
        id: p[1]!,
        enabled: p[2] === 'ENABLED',
        serial: p[3] === 'true',
        clusterKey: p[4]!,
        tables: list === '*' ? undefined : list ? list.split(',').map(fullTableName) : [],
      });
      continue;
    }
    const src = /^hbackup:source (\S+) (\S+) (\d+) (\d+) (\d+)$/.exec(line.trim());
    if (src) {
      const [server, peer, age, lag, queue] = src.slice(1) as [string, string, string, string, string];
      sources.push({ server, peer, ageOfLastShippedOpMs: Number(age), lagMs: Number(lag), logQueue: Number(queue) });
    }
    const sink = /^hbackup:sink (\S+) (\d+)$/.exec(line.trim());
    if (sink) sinks.push({ server: sink[1]!, lastAppliedWrittenMs: Number(sink[2]) });
    const f = /^hbackup:family (\S+) (\S+) (\d+)$/.exec(line.trim());
    if (f && families.has(f[1]!)) families.get(f[1]!)!.push({ name: f[2]!, scope: Number(f[3]) });
    const m = /^hbackup:missing (\S+)$/.exec(line.trim());
    if (m && families.has(m[1]!)) families.set(m[1]!, undefined);
  }
  return { peers, tables: tables.map((t) => ({ table: t, families: families.get(t) })), sources, sinks };
}

/** What a site holds, read by one run of its HBase shell (`shell`: `hbase shell -n` of the site). */
export async function readReplication(
  run: (cmd: Command, opts: RunOptions) => Promise<RunResult>,
  shell: Command,
  tables: string[],
  site: string,
): Promise<ReplicationState> {
  const r = await run(shell, { input: readScript(tables), timeoutMs: 180_000 });
  if (r.exitCode !== 0 || !r.stdout.includes('hbackup:read'))
    throw new ToolError(shell.argv, r.exitCode, `${r.stdout}\n${r.stderr}`, `reading ${site}'s replication peers`);
  return parseState(r.stdout, tables);
}

/** A peer's TABLE_CFS: each table with every family. */
const tableCfs = (tables: string[]) => `{ ${tables.map((t) => `${rubyString(t)} => []`).join(', ')} }`;

/** Shell statements for replication, as a flow plans and runs them. */
export const replicationStatements = {
  /** The peer, disabled (edits queue from now on, none is shipped yet), serial, for these tables. */
  addPeer: (id: string, key: string, tables: string[]) =>
    `add_peer ${rubyString(id)}, CLUSTER_KEY => ${rubyString(key)}, TABLE_CFS => ${tableCfs(tables)}, SERIAL => true, STATE => 'DISABLED'`,
  appendTables: (id: string, tables: string[]) => `append_peer_tableCFs ${rubyString(id)}, ${tableCfs(tables)}`,
  disablePeer: (id: string) => `disable_peer ${rubyString(id)}`,
  enablePeer: (id: string) => `enable_peer ${rubyString(id)}`,
  /** The peer removed when the site has it (it ships nothing more; its queue goes with it). */
  removePeerIfThere: (id: string) => `remove_peer ${rubyString(id)} if list_peers.any? { |p| p.getPeerId == ${rubyString(id)} }`,
  /** Every family named at scope 1 (edits to it are replicated). */
  scope: (table: string, families: string[]) =>
    `alter ${rubyString(table)}, ${families.map((f) => `{NAME => ${rubyString(f)}, REPLICATION_SCOPE => 1}`).join(', ')}`,
};
