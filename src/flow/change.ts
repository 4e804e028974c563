/**
 * A change a flow plans to make: one WebHDFS call or one command, on a named site (or on this
 * host). A plan holds its changes as data; `--dry-run` prints them; execute performs them.
 */
import { ToolError } from '../errors.js';
import { type Command, displayCommand, type Runner, type RunOptions, type RunResult } from '../exec/runner.js';
import type { WebHdfsRequest } from '../hdfs/requests.js';
import type { Site } from '../sites/site.js';

export type Change =
  | { site: string; request: WebHdfsRequest; text: string; data?: string }
  | { site: string; command: Command; text: string };

/** A WebHDFS call on a site, described as it will be sent. */
export const httpChange = (site: Site, request: WebHdfsRequest, data?: string): Change => ({
  site: site.name,
  request,
  text: site.hdfs.describe(request),
  ...(data !== undefined ? { data } : {}),
});

/** A command run by a site's tools (or on this host: site "local"). */
export const commandChange = (site: string, command: Command): Change => ({ site, command, text: displayCommand(command) });

export interface Performer {
  sites: Record<string, Site>;
  runner: Runner;
  debug: (text: string) => void;
}

/** Run a command, logged under --verbose. */
export async function run(p: Performer, cmd: Command, opts?: RunOptions): Promise<RunResult> {
  p.debug(`run: ${displayCommand(cmd)}`);
  return p.runner(cmd, opts);
}

/** Make one planned change; a failure throws. */
export async function perform(p: Performer, change: Change): Promise<void> {
  if ('command' in change) {
    const r = await run(p, change.command);
    if (r.exitCode !== 0) throw new ToolError(change.command.argv, r.exitCode, r.stderr);
    return;
  }
  const site = p.sites[change.site];
  if (!site) throw new Error(`no site ${change.site} in this flow`);
  const { request } = change;
  if (request.op === 'CREATE') {
    await site.hdfs.createFile(request.path, change.data ?? '', request.params?.overwrite === true);
  } else {
    await site.hdfs.send(request);
  }
}
