/**
 * The commands that prove and show what hbackup keeps: drill, report.
 */
import type { Command } from 'commander';
import type { CommandEnv } from './commands/context.js';
import { exitCodesHelp } from './errors.js';

const EXIT_CODES_HELP = exitCodesHelp();

export function addProofCommands(
  program: Command,
  env: () => CommandEnv,
  clustersFlag: () => string | undefined,
  done: (code: number) => void,
): void {
  program
    .command('drill')
    .description('restore a restore point beside the live data on the secondary, check every file and row, record the result, clean up')
    .argument('<policy>', 'policy file')
    .option('--point <point>', 'latest, a stamp (20261125T020000Z) or a restore point name', 'latest')
    .option(
      '--check <command>',
      'a command line (run by /bin/sh -c) that must exit 0; HBACKUP_DRILL_DIRS (":" between) and HBACKUP_DRILL_TABLES (" " between) name the restored copies (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--keep', 'leave the restored copies (the next drill removes them)')
    .option('--dry-run', 'check everything read-only and print every change it would make')
    .option('--metrics-file <file>', 'write the hbackup_drill_* metrics there (node_exporter textfile collector)')
    .addHelpText(
      'after',
      `
Examples:
  hbackup drill orders.yaml                                   # the newest restore point, restored, checked, removed
  hbackup drill orders.yaml --point 20261124T020000Z --check 'hdfs dfs -test -e "\${HBACKUP_DRILL_DIRS%%:*}/_SUCCESS"'
  hbackup drill orders.yaml --dry-run
Directories and tables are restored under names ending in .hbackup-drill; nothing live is changed.
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, opts) => {
      const { drillCommand } = await import('./commands/drill.js');
      done(await drillCommand(file, { ...opts, clusters: clustersFlag() }, env()));
    });

  program
    .command('report')
    .description('one self-contained DR report of services: sites now, RPO over time, restore points, drills, failovers')
    .argument('[policy...]', 'policy files (besides those of --policies)')
    .option('--policies <dir>', 'directory of policy files')
    .option('--format <format>', 'html (default; or from the -o name), md or json')
    .option('-o, --output <file>', 'write the report there instead of stdout')
    .option('--timeout <seconds>', 'how long each site may take to answer', '5')
    .addHelpText(
      'after',
      `
Examples:
  hbackup report --policies /etc/hbackup/policies -o dr-report.html   # open it in any browser, offline
  hbackup report orders.yaml --format md > dr-report.md
${EXIT_CODES_HELP}`,
    )
    .action(async (files: string[], opts) => {
      const { reportCommand } = await import('./commands/report.js');
      done(await reportCommand(files, { ...opts, clusters: clustersFlag() }, env()));
    });
}
