/**
 * The commands that act on both sites at once, beyond one service: failover, failback, sync-users, doctor.
 */
import type { Command } from 'commander';
import type { CommandEnv } from './commands/context.js';
import { exitCodesHelp } from './errors.js';

const EXIT_CODES_HELP = exitCodesHelp();

export function addPairCommands(
  program: Command,
  env: () => CommandEnv,
  clustersFlag: () => string | undefined,
  done: (code: number) => void,
): void {
  program
    .command('failover')
    .description('make the secondary the primary: a planned switchover, or an emergency promotion when the primary failed')
    .requiredOption('--policies <dir>', 'directory of the policy files of every service between the two sites')
    .option('--dry-run', 'check everything read-only and print the whole plan')
    .option('--yes', 'do not ask (needed without a terminal)')
    .option('--emergency', 'promote even though the primary answers (it is known to be faulty): it is put in safe mode')
    .option(
      '--replicas [services...]',
      'an emergency promotes the live replicas of the replicated HBase tables (seconds behind, each table on its own) instead of their restore point: of these services, or of every one',
    )
    .addHelpText(
      'after',
      `
Examples:
  hbackup failover --policies /etc/hbackup/policies --dry-run     # planned or emergency, and what each service loses
  hbackup failover --policies /etc/hbackup/policies --yes
  hbackup failover --policies /etc/hbackup/policies --yes --replicas orders   # orders' tables as replicated, seconds behind
${EXIT_CODES_HELP}`,
    )
    .action(async (opts) => {
      const { failoverCommand } = await import('./commands/failover.js');
      done(await failoverCommand({ ...opts, clusters: clustersFlag() }, env()));
    });

  program
    .command('failback')
    .description(
      'bring a stale old primary back as the secondary (its own writes kept in quarantine); --switch then makes it the primary again',
    )
    .requiredOption('--policies <dir>', 'directory of the policy files of every service between the two sites')
    .option('--dry-run', 'check everything read-only and print the whole plan')
    .option('--yes', 'do not ask (needed without a terminal)')
    .option('--switch', 'end with a planned switchover back to the old primary')
    .addHelpText(
      'after',
      `
Examples:
  hbackup failback --policies /etc/hbackup/policies --dry-run
  hbackup failback --policies /etc/hbackup/policies --yes --switch
${EXIT_CODES_HELP}`,
    )
    .action(async (opts) => {
      const { failbackCommand } = await import('./commands/failover.js');
      done(await failbackCommand({ ...opts, clusters: clustersFlag() }, env()));
    });

  program
    .command('sync-users')
    .description(
      'mirror on the secondary the user data applications need after a failover: home directories, owners, permissions, ACLs, quotas',
    )
    .option('--policies <dir>', 'also the root directory of every HDFS data set of the policies in this directory')
    .option('--dry-run', 'read both sites and print the plan, changing nothing')
    .option('--prune', 'also remove home directories that only the secondary has (with --contents: any file only it has)')
    .option('--contents', "also push the home directories' files with the primary's DistCp (-update, attributes kept) first")
    .addHelpText(
      'after',
      `
Examples:
  hbackup sync-users --dry-run                                   # homes under /user (clusters file: users.homes)
  hbackup sync-users --policies /etc/hbackup/policies --prune
  hbackup sync-users --contents                                  # files too, by the primary's DistCp
${EXIT_CODES_HELP}`,
    )
    .action(async (opts) => {
      const { syncUsersCommand } = await import('./commands/sync-users.js');
      done(await syncUsersCommand({ ...opts, clusters: clustersFlag() }, env()));
    });

  program
    .command('doctor')
    .description('check the clusters file against the clusters: endpoints, authentication, DataNodes, rights, tools, versions, clocks')
    .option('--timeout <seconds>', 'give each call this long', '10')
    .option('--policies <dir>', "also check what the policies' replicated HBase tables need, on both sites")
    .addHelpText(
      'after',
      `
It writes one probe on each cluster (a directory under /.hbackup with a file and a snapshot) and
removes it again: that is what proves a DataNode is reachable and the user has the rights hbackup needs.

Examples:
  hbackup doctor --clusters /etc/hbackup/clusters.yaml
  hbackup --json doctor | jq '.findings[] | select(.level != "ok")'
  hbackup doctor --policies /etc/hbackup/policies     # replication: on, cluster keys reached, bulk loads

Exit codes (as status): 0 all well, 1 warnings, 2 failures.`,
    )
    .action(async (opts) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      done(await doctorCommand({ ...opts, clusters: clustersFlag() }, env()));
    });
}
