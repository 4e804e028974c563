/**
 * A change a flow plans to make: one WebHDFS call, one command, stopping one YARN application, or
 * one Hive statement, on a named site (or on this host). A plan holds its changes as data; `--dry-run` prints them; execute performs them.
 */
import { CatalogError, HbackupError, lastLine, ToolError, WebHdfsError } from '../errors.js';
import { type Command, displayCommand, type Runner, type RunOptions, type RunResult } from '../exec/runner.js';
import type { Spawner } from '../exec/session.js';
import { shellError } from '../hbase/shell.js';
import type { WebHdfsRequest } from '../hdfs/requests.js';
import type { Site } from '../sites/site.js';

/** Where a CREATE's bytes come from: a file of another site, read whole (a direct copy keeps each below its limit). */
export interface CopyFrom {
  site: string;
  path: string;
  length: number;
}

export type Change =
  | { site: string; request: WebHdfsRequest; text: string; data?: string; copyFrom?: CopyFrom }
  | { site: string; command: Command; input?: string; text: string }
  | { site: string; kill: string; text: string }
  | { site: string; hive: string; text: string };

/** A WebHDFS call on a site, described as it will be sent. */
export const httpChange = (site: Site, request: WebHdfsRequest, data?: string): Change => ({
  site: site.name,
  request,
  text: site.hdfs.describe(request),
  ...(data !== undefined ? { data } : {}),
});

/** A command as printed: its argv, and what it reads on standard input (statements, one line). */
export const describeCommand = (cmd: Command, input?: string): string =>
  input === undefined ? displayCommand(cmd) : `${displayCommand(cmd)} <<< ${input.trim().split('\n').join('; ')}`;

/** HBase shell statements run in order by one `hbase shell -n` of the site (it stops at the first that fails). */
export const shellChange = (site: Site, statements: string[]): Change =>
  commandChange(site.name, site.tool('hbase', ['shell', '-n']), `${statements.join('\n')}\n`);

/** A command run by a site's tools (or on this host: site "local"), with what it reads on standard input. */
export const commandChange = (site: string, command: Command, input?: string): Change => ({
  site,
  command,
  ...(input !== undefined ? { input } : {}),
  text: describeCommand(command, input),
});

export interface Performer {
  sites: Record<string, Site>;
  runner: Runner;
  /** Starts tools a flow talks to while they run (the HBase shell). */
  spawn: Spawner;
  debug: (text: string) => void;
}

/** Run a command that changes something, logged under --verbose as `run:` (what a plan lists). */
export async function run(p: Performer, cmd: Command, opts?: RunOptions): Promise<RunResult> {
  p.debug(`run: ${describeCommand(cmd, opts?.input)}`);
  return p.runner(cmd, opts);
}

/** Run a command that only reads (SnapshotInfo, the groups of users), logged under --verbose as `read:`. */
export async function look(p: Performer, cmd: Command, opts?: RunOptions): Promise<RunResult> {
  p.debug(`read: ${describeCommand(cmd, opts?.input)}`);
  return p.runner(cmd, opts);
}

/**
 * Run hook commands (argument lists on this host) in order, each within the time limit; the first
 * that fails stops them, named as `<label> hook [argv] exited with N: <its last line>`.
 */
export async function runHookChanges(p: Performer, changes: Change[], label: string, timeoutMs: number): Promise<void> {
  for (const change of changes) {
    if (!('command' in change)) continue;
    const r = await run(p, change.command, { timeoutMs });
    if (r.exitCode !== 0) {
      const how = r.exitCode === undefined ? `ended (${r.signal ?? 'killed'})` : `exited with ${r.exitCode}`;
      throw new HbackupError(`${label} hook ${JSON.stringify(change.command.argv)} ${how}${lastLine(r.stderr, ': ')}`);
    }
  }
}

/** Stopping a YARN application of a site, described as it will be sent. */
export const killChange = (site: Site, app: string): Change => {
  if (!site.yarn) throw new Error(`${site.name} has no ResourceManager`);
  return { site: site.name, kill: app, text: site.yarn.describeKill(app) };
};

/** Make one planned change; a failure throws. `opts` go to a command's runner (e.g. keep only its output's tail). */
export async function perform(p: Performer, change: Change, opts?: Pick<RunOptions, 'tail' | 'onStderrLine'>): Promise<void> {
  if ('kill' in change) {
    const yarn = p.sites[change.site]?.yarn;
    if (!yarn) throw new Error(`no ResourceManager for ${change.site} in this flow`);
    await yarn.kill(change.kill);
    return;
  }
  if ('hive' in change) {
    const hive = p.sites[change.site]?.hive;
    if (!hive) throw new Error(`no Hive for ${change.site} in this flow`);
    p.debug(`run: ${change.text}`);
    await hive.run([change.hive]);
    return;
  }
  if ('command' in change) {
    const r = await run(p, change.command, { ...opts, ...(change.input !== undefined ? { input: change.input } : {}) });
    // The HBase shell stops at the first failing statement, and says why on standard output.
    if (r.exitCode !== 0) throw new ToolError(change.command.argv, r.exitCode, shellError(r.stdout) ?? r.stderr);
    return;
  }
  const site = p.sites[change.site];
  if (!site) throw new Error(`no site ${change.site} in this flow`);
  const { request } = change;
  if (request.op === 'CREATE' && change.copyFrom) {
    const { copyFrom } = change;
    const from = p.sites[copyFrom.site];
    if (!from) throw new Error(`no site ${copyFrom.site} in this flow`);
    const bytes = await from.hdfs.readFile(copyFrom.path, copyFrom.length + 1);
    if (!bytes) throw new WebHdfsError(404, 'FileNotFoundException', `${copyFrom.path} is gone from ${from.name}`, `OPEN ${copyFrom.path}`);
    if (bytes.length !== copyFrom.length)
      throw new HbackupError(
        `${copyFrom.path} on ${from.name} holds ${bytes.length} bytes, not the ${copyFrom.length} its snapshot listed`,
      );
    await site.hdfs.write(request, bytes);
  } else if (request.op === 'CREATE') {
    await site.hdfs.createFile(request.path, change.data ?? '', request.params?.overwrite === true);
  } else if (request.op === 'RENAME') {
    // HDFS refuses a rename onto a name that exists by answering false: a change not made.
    const r = await site.hdfs.send<{ boolean?: boolean }>(request);
    if (r.boolean !== true)
      throw new CatalogError(`${site.name} refused to rename ${request.path} to ${String(request.params?.destination)}`);
  } else {
    await site.hdfs.send(request);
  }
}
