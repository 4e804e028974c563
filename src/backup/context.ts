/**
 * What one backup run works with: the resolved policy, a WebHDFS client per site, the process
 * runner and clock it was given, and — under --dry-run — the list of what it would have done.
 */
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { webhdfsUrls } from '../config/load.js';
import { displayCommand, type Command, type Runner, type RunOptions, type RunResult } from '../exec/runner.js';
import { WebHdfs, type FetchLike } from '../hdfs/webhdfs.js';
import type { Output } from '../output.js';

export interface BackupOptions {
  dryRun: boolean;
  full: boolean;
  noFallback: boolean;
  checksums: boolean;
  /** Let the first copy replace the contents of a target that already holds data. */
  adoptTarget: boolean;
}

export interface Deps {
  runner: Runner;
  fetch?: FetchLike;
  now: () => Date;
  out: Output;
}

export interface Site {
  cluster: NamedCluster;
  hdfs: WebHdfs;
}

export interface BackupContext {
  rp: ResolvedPolicy;
  primary: Site;
  secondary: Site;
  opts: BackupOptions;
  deps: Deps;
  /** Under --dry-run: every change it would make, in order (HTTP calls and commands). */
  planned: string[];
  /** Run a cluster tool, or under --dry-run record it and report success. */
  exec(cmd: Command, opts?: RunOptions): Promise<RunResult>;
}

export function makeSite(cluster: NamedCluster, deps: Deps, dryRun: boolean, planned: string[]): Site {
  const hdfs = new WebHdfs({
    urls: webhdfsUrls(cluster),
    user: cluster.user,
    fetch: deps.fetch,
    dryRun,
    onCall: (call) => {
      if (call.dryRun) planned.push(`${call.method} ${call.url}`);
      else deps.out.debug(`${call.method} ${call.url}`);
    },
  });
  return { cluster, hdfs };
}

export function makeContext(rp: ResolvedPolicy, opts: BackupOptions, deps: Deps): BackupContext {
  const planned: string[] = [];
  return {
    rp,
    opts,
    deps,
    planned,
    primary: makeSite(rp.primary, deps, opts.dryRun, planned),
    secondary: makeSite(rp.secondary, deps, opts.dryRun, planned),
    async exec(cmd, runOpts) {
      if (opts.dryRun) {
        planned.push(displayCommand(cmd));
        return { exitCode: 0, stdout: '', stderr: '' };
      }
      deps.out.debug(`run: ${displayCommand(cmd)}`);
      return deps.runner(cmd, runOpts);
    },
  };
}

/** A tool of a cluster as a command (its path, environment and ssh destination from the clusters file). */
export function toolCommand(cluster: NamedCluster, tool: 'hadoop' | 'hdfs' | 'hbase', args: string[]): Command {
  const cmd: Command = { argv: [cluster.tools[tool], ...args] };
  if (Object.keys(cluster.tools.env).length) cmd.env = cluster.tools.env;
  if (cluster.tools.ssh) {
    cmd.ssh = cluster.tools.ssh;
    if (cluster.tools.sshOptions.length) cmd.sshOptions = cluster.tools.sshOptions;
  }
  return cmd;
}
