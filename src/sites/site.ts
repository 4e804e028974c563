/**
 * A site: one cluster of the clusters file with the clients hbackup reaches it through — its
 * WebHDFS client, its YARN ResourceManager when it has one, and its Hive when it has one, and its own tools (`hadoop`, `hdfs`, `hbase`, `beeline`) as commands, locally or on an
 * edge node through ssh. Every command uses sites; none builds its own clients.
 */
import type { NamedCluster } from '../config/load.js';
import { resourceManagerUrls, webhdfsUrls } from '../config/load.js';
import { type Command, execaRunner, type Runner } from '../exec/runner.js';
import { execaSpawner, type Spawner } from '../exec/session.js';
import { makePutData, type PutData } from '../hdfs/put-data.js';
import { WebHdfs } from '../hdfs/webhdfs.js';
import { beelineArgs, beelineHive, type Hive } from '../hive/beeline.js';
import type { FetchLike } from '../http/client.js';
import { httpFetch, makeHttpFetch } from '../http/client.js';
import { insecureWarning, tlsOf } from '../http/tls.js';
import { delegation, loginEnv, renewed, toolEnv, toolsReady } from '../kerberos/credentials.js';
import { ResourceManager } from '../yarn/resourcemanager.js';

export type ToolName = 'hadoop' | 'hdfs' | 'hbase' | 'beeline';

export interface Site {
  name: string;
  cluster: NamedCluster;
  hdfs: WebHdfs;
  /** Its YARN, when the clusters file names one: where its DistCp jobs run. */
  yarn?: ResourceManager;
  /** Its Hive, when the clusters file names one: statements run by its beeline. */
  hive?: Hive;
  /** One of the site's tools as a command: its path, environment and ssh destination from the clusters file. */
  tool(name: ToolName, args: string[]): Command;
}

/** How sites reach their NameNodes: fetch and the DataNode upload (fakes in tests), and a log of every call. */
export interface SiteIo {
  fetch?: FetchLike | undefined;
  putData?: PutData | undefined;
  debug?: (text: string) => void;
  /** Runs the cluster's tools where hbackup needs them itself (a Kerberized cluster's delegation token). */
  runner?: Runner | undefined;
  /** Starts the tools kept running for a run (the site's Beeline). */
  spawn?: Spawner | undefined;
  /** Said once per run and cluster: e.g. that its certificates are not verified. */
  warn?: (text: string) => void;
  /** How long one call may take (default 30 s). */
  timeoutMs?: number;
}

/** Connections per TLS setting (as the clusters file writes it), kept for the whole run; the clusters already warned of. */
const transports = new Map<string, { fetch: FetchLike; putData: PutData }>();
const warned = new Set<string>();

/**
 * How a cluster's endpoints are reached over HTTP(S): the default, or with its own TLS settings. Its
 * CA file is read (and checked) once, when the first site with those settings is opened.
 */
function transportOf(cluster: NamedCluster, io: SiteIo): { fetch?: FetchLike | undefined; putData?: PutData | undefined } {
  if (!cluster.tls) return { fetch: io.fetch, putData: io.putData };
  const key = `${cluster.tls.insecure}\0${cluster.tls.ca ?? ''}`;
  let t = transports.get(key);
  if (!t) {
    const tls = tlsOf(cluster)!;
    t = { fetch: makeHttpFetch(tls), putData: makePutData(tls) };
    transports.set(key, t);
  }
  if (cluster.tls.insecure && !warned.has(cluster.name) && io.warn) {
    warned.add(cluster.name);
    io.warn(insecureWarning(cluster.name));
  }
  if (io.fetch) return { fetch: io.fetch, putData: io.putData };
  return { fetch: t.fetch, putData: io.putData ?? t.putData };
}

/** The fetch a cluster's endpoints are asked through (its TLS settings applied). */
export const fetchOf = (cluster: NamedCluster, io: SiteIo = {}): FetchLike => transportOf(cluster, io).fetch ?? httpFetch;

export function openSite(cluster: NamedCluster, io: SiteIo = {}): Site {
  const transport = transportOf(cluster, io);
  const runner = io.runner ?? execaRunner;
  const hdfs = new WebHdfs({
    urls: webhdfsUrls(cluster),
    user: cluster.user,
    fetch: transport.fetch,
    putData: transport.putData,
    timeoutMs: io.timeoutMs ?? cluster.timeoutSeconds * 1000,
    onCall: (call) => io.debug?.(`${call.dataNode ? 'DataNode ' : ''}${call.method} ${call.url}`),
    dataNodes: cluster.dataNodes,
    site: cluster.name,
    delegation: cluster.kerberos ? { token: () => delegation(cluster, runner), renew: () => renewed(cluster, runner) } : undefined,
  });
  const rm = resourceManagerUrls(cluster);
  const yarn = rm.length
    ? new ResourceManager({
        urls: rm,
        user: cluster.user,
        fetch: transport.fetch,
        timeoutMs: io.timeoutMs ?? cluster.timeoutSeconds * 1000,
        onCall: (call) => io.debug?.(`${call.method} ${call.url}`),
      })
    : undefined;
  const hive = cluster.hive
    ? beelineHive(
        cluster.name,
        toolCommand(cluster, 'beeline', beelineArgs(cluster.hive.jdbcUrl, cluster.hive.user ?? cluster.user), runner),
        io.spawn ?? execaSpawner,
        { kerberized: Boolean(cluster.kerberos) },
      )
    : undefined;
  return {
    name: cluster.name,
    cluster,
    hdfs,
    ...(yarn ? { yarn } : {}),
    ...(hive ? { hive } : {}),
    tool: (name, args) => toolCommand(cluster, name, args, runner),
  };
}

function toolCommand(cluster: NamedCluster, tool: ToolName, args: string[], runner: Runner): Command {
  const cmd: Command = { argv: [cluster.tools[tool], ...args] };
  if (Object.keys(cluster.tools.env).length) {
    cmd.env = cluster.tools.env;
    cmd.secretEnv = true;
  }
  if (cluster.kerberos) {
    cmd.env = { ...cmd.env, ...toolEnv(cluster), ...(tool === 'beeline' ? loginEnv(cluster) : {}) };
    cmd.ready = () => toolsReady(cluster, runner);
  }
  if (cluster.tools.ssh) {
    cmd.ssh = cluster.tools.ssh;
    if (cluster.tools.sshOptions.length) cmd.sshOptions = cluster.tools.sshOptions;
  }
  if (cluster.tools.prefix) cmd.prefix = cluster.tools.prefix;
  return cmd;
}
