/**
 * The command line: declares commands and options, and maps what happens to an exit code.
 * Commands are loaded when used; each is a plain async function returning its exit code.
 */
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { addPairCommands } from './cli-pair.js';
import { addProofCommands } from './cli-proof.js';
import type { CommandEnv } from './commands/context.js';
import { outcomeOf } from './core/outcome.js';
import { ExitCode, exitCodesHelp, HbackupError, UsageError } from './errors.js';
import { execaRunner } from './exec/runner.js';
import { execaSpawner } from './exec/session.js';
import { releaseCredentials } from './kerberos/credentials.js';
import { stateDir } from './lock/lock.js';
import { Output } from './output.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export interface MainIo {
  env?: Partial<Omit<CommandEnv, 'out'>>;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

const EXIT_CODES_HELP = exitCodesHelp();

export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  let code: number = ExitCode.OK;
  let out: Output | undefined;
  const program = new Command('hbackup');
  const stderr = io.stderr ?? process.stderr;
  const stdout = io.stdout ?? process.stdout;
  program
    .description('Consistent, verified restore points of Hadoop services on a secondary cluster.')
    .version(pkg.version, '-V, --version')
    .option('--json', 'machine-readable output on stdout')
    .option('--verbose', 'show every WebHDFS call and command, and stack traces')
    .option('--no-color', 'no colours (also when NO_COLOR is set or output is not a terminal)')
    .option('--log-file <file>', 'also append every line, plain and timestamped, to this file')
    .option('--clusters <file>', 'clusters file (default: $HBACKUP_CLUSTERS, else the policy\'s "clusters:")')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run hbackup --help for usage)');

  const clustersFlag = () => {
    const file = program.opts<{ clusters?: string }>().clusters;
    if (file !== undefined && !file.trim()) throw new UsageError('--clusters: give the clusters file (an empty name names no file)');
    return file;
  };
  const env = (): CommandEnv => {
    const g = program.opts<{ json?: boolean; verbose?: boolean; color?: boolean; logFile?: string }>();
    out = new Output({ json: Boolean(g.json), verbose: Boolean(g.verbose), color: g.color !== false, stdout, stderr, logFile: g.logFile });
    return {
      out,
      runner: io.env?.runner ?? execaRunner,
      spawn: io.env?.spawn ?? execaSpawner,
      fetch: io.env?.fetch,
      putData: io.env?.putData,
      now: io.env?.now ?? (() => new Date()),
      stateDir: io.env?.stateDir ?? stateDir(),
      confirm: io.env?.confirm,
      prompt: io.env?.prompt,
    };
  };

  program
    .command('validate')
    .description('check policy files (and, with --online, the data sets on the primary)')
    .argument('<policy...>', 'policy files')
    .option('--online', 'also check on the primary that every data set is a snapshottable directory')
    .addHelpText(
      'after',
      `
Examples:
  hbackup validate /etc/hbackup/policies/*.yaml
  hbackup --clusters /etc/hbackup/clusters.yaml validate --online orders.yaml
${EXIT_CODES_HELP}`,
    )
    .action(async (files: string[], opts) => {
      const { validateCommand } = await import('./commands/validate.js');
      code = await validateCommand(files, { ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('backup')
    .description('snapshot every data set of each service at one moment, copy, verify, and record a restore point')
    .argument('<policy...>', 'policy files; each service runs with its own moment')
    .option('--dry-run', 'check everything read-only and print every call and command it would run')
    .option('--full', 'copy everything, not only what changed since the last restore point')
    .option('--no-fallback', 'fail instead of falling back to a full copy when an incremental one is impossible')
    .option(
      '--checksums [which]',
      "also compare files' checksums (as policy verify.checksums): after an incremental copy those the diff touched; all: every file",
    )
    .option('--adopt-target', 'let the first copy replace the contents of a target directory that already holds data')
    .option('--metrics-file <file>', 'write Prometheus metrics there (node_exporter textfile collector)')
    .addHelpText(
      'after',
      `
Examples:
  hbackup backup --dry-run orders.yaml                  # the plan: every call and command, nothing changed
  hbackup backup orders.yaml clicks.yaml                # two services side by side, each its own moment
  hbackup --json backup --checksums orders.yaml | jq .restorePoint
${EXIT_CODES_HELP}`,
    )
    .action(async (files: string[], opts) => {
      const { backupCommand } = await import('./commands/backup.js');
      code = await backupCommand(files, { ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('policy')
    .description('write policy files')
    .command('new')
    .description('write a valid, commented policy file; on a terminal, asks for what the flags leave out')
    .option('--service <name>', 'the service (lower-case letters, digits, "-")')
    .option('--hdfs <path...>', 'HDFS directories on the primary')
    .option('--hbase <table...>', 'HBase tables on the primary (namespace:table)')
    .option('--schedule <cron>', 'five-field cron expression, UTC (default: none, on demand)')
    .option('-o, --output <file>', 'where to write the policy')
    .option('--force', 'replace the file if it exists')
    .addHelpText(
      'after',
      `
Examples:
  hbackup --clusters /etc/hbackup/clusters.yaml policy new --service orders --hdfs /data/orders/raw \\
      --hbase orders:events --schedule "0 2 * * *" -o /etc/hbackup/policies/orders.yaml
  hbackup policy new          (on a terminal: asks for each)

Exit codes: 0 written and checked online; 2 invalid input (nothing written); 3 written, but a data set
is not ready on the primary (the command that fixes it is printed).`,
    )
    .action(async (opts) => {
      const { policyNewCommand } = await import('./commands/policy-new.js');
      code = await policyNewCommand({ ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('run-due')
    .description('back up every service of a policy directory whose schedule has fired since its newest restore point (for cron)')
    .requiredOption('--policies <dir>', 'directory of policy files (*.yaml; clusters*.yaml are left out)')
    .option('--now <iso>', 'decide what is due as at this time (default: now)')
    .option('--parallel <n>', 'back up at most this many services at a time', '2')
    .option('--metrics-file <file>', 'write Prometheus metrics there (node_exporter textfile collector)')
    .option('--watch', 'stay up: run each service as soon as its schedule allows ("every 30s" or cron), until SIGTERM')
    .addHelpText(
      'after',
      `
Examples:
  */5 * * * *  hbackup run-due --policies /etc/hbackup/policies --metrics-file /var/lib/node_exporter/hbackup.prom
  hbackup run-due --policies /etc/hbackup/policies --watch --metrics-file /var/lib/node_exporter/hbackup.prom   # as a service
  hbackup run-due --policies ./policies --now 2026-11-25T02:00:00Z --json

Exit codes: 0 every due service ok, or none due; 1 some failed; 75 the only trouble was locks.`,
    )
    .action(async (opts) => {
      const { runDueCommand } = await import('./commands/run-due.js');
      code = await runDueCommand({ ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('restore')
    .description('bring a restore point back: beside the live data (--suffix) or in place, on the secondary or the primary')
    .argument('<policy>', 'policy file')
    .option('--point <point>', 'latest, a stamp (20261125T020000Z) or a restore point name', 'latest')
    .option('--on <side>', 'secondary (default) or primary: where the data comes back', 'secondary')
    .option('--suffix <suffix>', 'restore beside the live data: directories and tables get this suffix (e.g. _r1)')
    .option('--datasets <name...>', 'only these data sets (as the policy names them)')
    .option('--dry-run', 'check everything read-only and print every call and command it would run')
    .option('--yes', 'replace live data without asking (needed without a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  hbackup restore orders.yaml --suffix _r1                       # the newest restore point beside the live data, on the secondary
  hbackup restore orders.yaml --point 20261124T020000Z --on primary --datasets /data/orders/raw --yes
  hbackup restore orders.yaml --on primary --dry-run
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, opts) => {
      const { restoreCommand } = await import('./commands/restore.js');
      code = await restoreCommand(file, { ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('list')
    .description("list the service's restore points from the secondary's catalog")
    .argument('<policy>', 'policy file')
    .addHelpText(
      'after',
      "\nExamples:\n  hbackup list orders.yaml\n  hbackup --json list orders.yaml | jq '.restorePoints[] | select(.intact | not)'",
    )
    .action(async (file: string) => {
      const { listCommand } = await import('./commands/list.js');
      code = await listCommand(file, { clusters: clustersFlag() }, env());
    });

  program
    .command('status')
    .description('both sites: health, identity and which one applications should use; services: newest restore point')
    .option('--policies <dir>', "also each service's newest restore point, and whether it is overdue")
    .option('--timeout <seconds>', 'give each site this long to answer', '5')
    .option('--metrics-file <file>', "write each site's level as Prometheus metrics (a file of its own)")
    .addHelpText(
      'after',
      `
Examples:
  hbackup status
  hbackup --json status --policies /etc/hbackup/policies | jq .applicationTarget

Exit codes (monitoring plugins' convention): 0 OK, 1 WARNING, 2 CRITICAL.`,
    )
    .action(async (opts) => {
      const { statusCommand } = await import('./commands/status.js');
      code = await statusCommand({ ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('endpoint')
    .description("what applications should connect to now: the primary's fs.defaultFS and HBase ZooKeeper quorum")
    .option('--format <format>', 'uri, env or json', 'uri')
    .addHelpText('after', '\nExamples:\n  export $(hbackup endpoint --format env)\n  hbackup endpoint            # hdfs://nameservice1')
    .action(async (opts) => {
      const { endpointCommand } = await import('./commands/endpoint.js');
      code = await endpointCommand({ ...opts, clusters: clustersFlag() }, env());
    });

  program
    .command('init')
    .description("write each site's first identity (its role from the clusters file, epoch 1)")
    .option('--force', 'replace identities that differ from the clusters file (at the next epoch)')
    .option('--dry-run', 'read both sites and print the identity writes, changing nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  hbackup --clusters /etc/hbackup/clusters.yaml init --dry-run\n  hbackup --clusters /etc/hbackup/clusters.yaml init',
    )
    .action(async (opts) => {
      const { initCommand } = await import('./commands/init.js');
      code = await initCommand({ ...opts, clusters: clustersFlag() }, env());
    });

  addPairCommands(program, env, clustersFlag, (c) => {
    code = c;
  });
  addProofCommands(program, env, clustersFlag, (c) => {
    code = c;
  });

  program
    .command('completion')
    .description('print the shell completion script')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      `
Examples:
  eval "$(hbackup completion bash)"          # in ~/.bashrc
  hbackup completion zsh > ~/.zfunc/_hbackup`,
    )
    .action(async (shell: string) => {
      const { completionScript } = await import('./commands/completion.js');
      stdout.write(completionScript(program, shell));
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const o = out ?? new Output({ json: false, verbose: argv.includes('--verbose'), color: false, stdout, stderr });
    if (e instanceof HbackupError) {
      o.error(e.message);
      // A script asking for JSON gets JSON, also when the input was refused before any work began.
      if (argv.includes('--json')) stdout.write(`${JSON.stringify({ result: outcomeOf(e), error: e.message })}\n`);
      if (o.verbose && e.stack) stderr.write(`${e.stack}\n`);
      return e.exitCode;
    }
    stderr.write(
      `unexpected error: ${(e as Error).stack ?? String(e)}\nThis is a bug in hbackup; please report it with the command you ran.\n`,
    );
    return ExitCode.FAILED;
  } finally {
    // Delegation tokens a Kerberized cluster gave this run are cancelled, their files removed.
    for (const problem of await releaseCredentials(io.env?.runner ?? execaRunner))
      out?.handle({ type: 'note', level: 'warn', text: problem });
  }
}
