import { clustersPair } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { siteStatuses } from '../sites/health.js';
import type { CommandEnv } from './context.js';

/** What applications should connect to now: the primary's filesystem and HBase ZooKeeper quorum. */
export async function endpointCommand(opts: { clusters?: string; format?: string }, env: CommandEnv): Promise<number> {
  const format = opts.format ?? 'uri';
  if (!['uri', 'env', 'json'].includes(format)) throw new UsageError(`--format ${format}: say uri, env or json`);
  const pair = clustersPair('endpoint', opts.clusters);
  const { applicationTarget } = await siteStatuses(pair, { fetch: env.fetch, now: env.now }, 5000, Number.POSITIVE_INFINITY);
  const cluster = pair.find((c) => c.name === applicationTarget);
  if (!cluster) {
    env.out.error('no site holds the primary identity and answers: see hbackup status');
    return ExitCode.FAILED;
  }
  const endpoint = { site: cluster.name, fsDefaultFS: cluster.fs, hbaseZookeeperQuorum: cluster.hbase?.zookeeper ?? null };
  if (format === 'json' || env.out.json) env.out.printJson(endpoint);
  else if (format === 'uri') env.out.print(cluster.fs);
  else {
    env.out.print(`HBACKUP_SITE=${cluster.name}`);
    env.out.print(`HBACKUP_FS_DEFAULTFS=${cluster.fs}`);
    if (endpoint.hbaseZookeeperQuorum) env.out.print(`HBACKUP_HBASE_ZOOKEEPER_QUORUM=${endpoint.hbaseZookeeperQuorum}`);
  }
  return ExitCode.OK;
}
