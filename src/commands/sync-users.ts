import { exitCode } from '../core/outcome.js';
import { UsageError } from '../errors.js';
import { printUsers } from '../flows/users/report.js';
import { syncUsers } from '../flows/users/sync.js';
import { type CommandEnv, flowIo } from './context.js';

export interface SyncUsersCommandOptions {
  clusters?: string | undefined;
  policies?: string;
  dryRun?: boolean;
  prune?: boolean;
  contents?: boolean;
}

/** Mirror the primary's user data (home directories, data set roots, extra paths) on the secondary. */
export async function syncUsersCommand(opts: SyncUsersCommandOptions, env: CommandEnv): Promise<number> {
  const clustersFile = opts.clusters ?? process.env.HBACKUP_CLUSTERS;
  if (!clustersFile) throw new UsageError('sync-users: give --clusters FILE or set HBACKUP_CLUSTERS');
  const report = await syncUsers(
    { clustersFile, policies: opts.policies, prune: Boolean(opts.prune), contents: Boolean(opts.contents), dryRun: Boolean(opts.dryRun) },
    flowIo(env),
  );
  if (report.error) env.out.error(`sync-users: ${report.error}`);
  if (env.out.json) env.out.printJsonLine(report);
  else printUsers(env.out, report);
  return exitCode([report.result]);
}
