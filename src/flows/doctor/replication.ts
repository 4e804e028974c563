/**
 * What `doctor --policies` checks for services that replicate HBase tables, on both sites (after a
 * failover replication runs the other way): replication is on in each HBase (its master's
 * hbase.replication), the other site's cluster key is complete and its ZooKeeper hosts resolve, each
 * site's HBase reaches the other's by that key (from its own shell, where the region servers are),
 * and where a service bulk-loads, the settings HBase needs to replicate bulk-loaded HFiles.
 */
import { lookup } from 'node:dns/promises';
import type { NamedCluster, ResolvedPolicy } from '../../config/load.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import { causeLine } from '../../errors.js';
import { clusterKey } from '../../hbase/replication.js';
import { rubyString } from '../../hbase/tables.js';
import { confSettings } from '../../http/servlets.js';
import { fetchOf, openSite } from '../../sites/site.js';
import type { DoctorIo, Finding } from './site.js';

/** The Ruby that connects to the cluster of `key` (failing fast) and prints its cluster id. */
export const reachScript = (key: string): string =>
  `c = org.apache.hadoop.hbase.HBaseConfiguration.createClusterConf(@hbase.configuration, ${rubyString(key)})
c.setInt('hbase.client.retries.number', 2)
c.setInt('zookeeper.recovery.retry', 1)
c.setInt('hbase.rpc.timeout', 20000)
conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(c)
puts "hbackup:reached #{conn.getAdmin.getClusterMetrics(java.util.EnumSet.of(org.apache.hadoop.hbase.ClusterMetrics::Option::CLUSTER_ID)).getClusterId}"
conn.close
`;

/** The settings a site's HBase master runs with, or undefined: no masterInfo, or its /conf closed or out of reach. */
const masterConf = (c: NamedCluster, io: DoctorIo): Promise<Map<string, string> | undefined> =>
  c.hbase?.masterInfo
    ? confSettings(fetchOf(c, { fetch: io.fetch }), c.hbase.masterInfo, io.timeoutMs).catch(() => undefined)
    : Promise.resolve(undefined);

/** Does a host name resolve here? */
const resolves = (host: string): Promise<boolean> =>
  lookup(host).then(
    () => true,
    () => false,
  );

/** One site's checks, as the source towards `other` (and the sink it is for `other`). */
async function siteFindings(site: NamedCluster, other: NamedCluster, bulkLoads: string[], io: DoctorIo): Promise<Finding[]> {
  const out: Finding[] = [];
  const add = (x: Omit<Finding, 'site' | 'check'>) => out.push({ site: site.name, check: 'replication', ...x });
  const conf = await masterConf(site, io);
  const on = conf?.get('hbase.replication');
  if (on === 'false')
    add({
      level: 'fail',
      text: 'replication is off in its HBase (hbase.replication=false)',
      fix: `set hbase.replication=true in ${site.name}'s hbase-site.xml and restart its HBase`,
    });
  else if (conf)
    add({ level: 'ok', text: `replication is on (${on === undefined ? 'HBase 2 has no hbase.replication switch' : 'hbase.replication'})` });
  const key = clusterKey(other);
  if (!key) {
    add({
      level: 'fail',
      text: `no cluster key for ${other.name}`,
      fix: `give clusters.${other.name}.hbase.zookeeper (host:port,… with one port) and znodeParent if not /hbase`,
    });
    return out;
  }
  const hosts = key.split(':')[0]!.split(',');
  const unresolved: string[] = [];
  for (const h of hosts) if (!(await resolves(h))) unresolved.push(h);
  if (unresolved.length) {
    add({
      level: 'fail',
      text: `${other.name}'s ZooKeeper host(s) ${unresolved.join(', ')} do not resolve here`,
      fix: `check clusters.${other.name}.hbase.zookeeper (the names ${site.name}'s region servers reach it by)`,
    });
    return out;
  }
  const s = openSite(site, { fetch: io.fetch, timeoutMs: io.timeoutMs, runner: io.runner });
  const shell = s.tool('hbase', ['shell', '-n']);
  const r = await io.runner(shell, { input: reachScript(key), timeoutMs: 120_000 });
  const id = /^hbackup:reached (\S+)$/m.exec(r.stdout)?.[1];
  if (id) add({ level: 'ok', text: `its HBase reaches ${other.name}'s by the cluster key ${key} (cluster id ${id})` });
  else
    add({
      level: 'fail',
      text: `its HBase did not reach ${other.name}'s by the cluster key ${key}${causeLine(`${r.stderr}\n${r.stdout}`, ': ')}`,
      fix: `check clusters.${other.name}.hbase.zookeeper and znodeParent, and that ${site.name} reaches ${other.name}'s ZooKeeper and region servers`,
    });
  if (bulkLoads.length) {
    const bulk = conf ? (conf.get('hbase.replication.bulkload.enabled') ?? 'false') : undefined;
    const cluster = conf?.get('hbase.replication.cluster.id');
    const missing = [bulk !== 'true' && 'hbase.replication.bulkload.enabled=true', !cluster && 'hbase.replication.cluster.id'].filter(
      Boolean,
    );
    const who = `${bulkLoads.join(', ')} bulk-load${bulkLoads.length > 1 ? '' : 's'} into replicated tables`;
    if (bulk === undefined)
      add({
        level: 'warn',
        text: `${who}: whether ${site.name} replicates bulk-loaded HFiles is not known (its master's /conf was not read)`,
        fix: `give clusters.${site.name}.hbase.masterInfo, or check hbase.replication.bulkload.enabled and hbase.replication.cluster.id by hand`,
      });
    else if (missing.length)
      add({
        level: 'fail',
        text: `${who}, but ${site.name} does not replicate bulk-loaded HFiles (${missing.join(', ')} not set)`,
        fix: `set ${missing.join(' and ')} in ${site.name}'s hbase-site.xml (and hbase.replication.conf.dir where it receives them) and restart its HBase`,
      });
    else add({ level: 'ok', text: 'bulk-loaded HFiles are replicated (hbase.replication.bulkload.enabled, cluster id set)' });
  }
  return out;
}

/** The findings for the services that replicate, both sites of each pair; none when no service does. */
export async function replicationFindings(services: ResolvedPolicy[], io: DoctorIo): Promise<Finding[]> {
  const replicating = services.filter((rp) => replicatedTables(rp.policy).length);
  if (!replicating.length) return [];
  const [a, b] = replicating[0]!.pair as [NamedCluster, NamedCluster];
  const bulkLoads = replicating.filter((rp) => rp.policy.replication.bulkLoads).map((rp) => rp.policy.service);
  const both = await Promise.all([siteFindings(a, b, bulkLoads, io), siteFindings(b, a, bulkLoads, io)]);
  return both.flat();
}
