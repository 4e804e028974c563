import { UsageError } from '../errors.js';
import { exitCode } from '../flow/outcome.js';
import type { Output } from '../output.js';
import { syncUsers, type UsersReport } from '../users/sync.js';
import { type CommandEnv, flowIo } from './context.js';

export interface SyncUsersCommandOptions {
  clusters?: string | undefined;
  policies?: string;
  dryRun?: boolean;
  prune?: boolean;
}

function printUsers(out: Output, r: UsersReport): void {
  const head = r.result === 'ok' ? out.c.green('ok') : r.result === 'planned' ? out.c.cyan('planned') : out.c.red(r.result.toUpperCase());
  const grants = r.granted || r.revoked ? `; HBase: ${r.granted?.length ?? 0} grant(s), ${r.revoked?.length ?? 0} revoke(s)` : '';
  const counts = `${r.created.length} to create, ${r.changed.length} to change, ${r.removed.length} to remove${grants}`;
  const what = r.changes.length ? counts : 'nothing to do: the secondary already mirrors the primary';
  out.print(
    `sync-users: ${head} — ${r.primary ?? '?'} → ${r.secondary ?? '?'}, ${r.places} place(s); ${what}${r.dryRun ? '; dry run: nothing was changed' : ''}`,
  );
  if (r.changes.length) {
    out.print(r.dryRun ? '  would make these changes, in order:' : `  made ${r.applied} change(s), in order:`);
    for (const c of r.changes.slice(0, r.dryRun ? r.changes.length : r.applied)) out.print(`    ${c.site}: ${c.change}`);
  }
  for (const w of r.warnings) out.handle({ type: 'note', level: 'warn', text: w });
}

/** Mirror the primary's user data (home directories, data set roots, extra paths) on the secondary. */
export async function syncUsersCommand(opts: SyncUsersCommandOptions, env: CommandEnv): Promise<number> {
  const clustersFile = opts.clusters ?? process.env.HBACKUP_CLUSTERS;
  if (!clustersFile) throw new UsageError('sync-users: give --clusters FILE or set HBACKUP_CLUSTERS');
  const report = await syncUsers(
    { clustersFile, policies: opts.policies, prune: Boolean(opts.prune), dryRun: Boolean(opts.dryRun) },
    flowIo(env),
  );
  if (report.error) env.out.error(`sync-users: ${report.error}`);
  if (env.out.json) env.out.printJsonLine(report);
  else printUsers(env.out, report);
  return exitCode([report.result]);
}
