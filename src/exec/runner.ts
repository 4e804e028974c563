/**
 * Running the clusters' own tools. Always an argument array, never a shell string; when a cluster
 * is reached through ssh, each argument is quoted for the remote shell one by one. A prefix (docker
 * exec, kubectl exec) takes the argv as it is: those pass it on without a shell.
 */
import { execa } from 'execa';
import { HbackupError } from '../errors.js';

export interface Command {
  /** The program and its arguments. */
  argv: string[];
  /** Extra environment for the program. */
  env?: Record<string, string>;
  /** Run on this ssh destination (user@host) instead of locally. */
  ssh?: string;
  /** Extra ssh arguments (port, identity, options), before the destination. */
  sshOptions?: string[];
  /** Run through this argv first (`docker exec -i namenode`, `kubectl exec -i -n hadoop pod/edge --`); after ssh, if both. */
  prefix?: string[];
  /** The environment's values may be secrets (a cluster's tools.env): shown as *** wherever printed. */
  secretEnv?: boolean;
  /** Awaited before it runs: what it needs exists (a Kerberized cluster's delegation tokens). Not part of what is shown. */
  ready?: () => Promise<void>;
}

export interface RunResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Ended by a signal rather than an exit. */
  signal?: string;
}

export interface RunOptions {
  input?: string;
  /** Kill the program after this long. */
  timeoutMs?: number;
  /** Called with each line the program writes to stderr (tools log there). */
  onStderrLine?: (line: string) => void;
  /**
   * Keep only the last this many characters of stdout and of stderr: for tools that log a line per
   * file (DistCp), whose end (counters, the error) is all that is read, so memory stays flat.
   */
  tail?: number;
}

export type Runner = (cmd: Command, opts?: RunOptions) => Promise<RunResult>;

/** Quote one argument for a POSIX shell on the far side of ssh. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Through ssh or a prefix, the program's environment travels on its standard input, ahead of its own input:
 * `NAME=value` lines, then an empty line, read by a small POSIX shell loop that exports them and
 * execs the program. No value (a password, say) is ever on a command line, here or on the edge node.
 */
const ENV_READER = 'while IFS= read -r hbackup_v && [ -n "$hbackup_v" ]; do export "$hbackup_v"; done; exec "$@"';

/** Is the program run elsewhere (an edge node, a container), where this process's environment does not reach? */
const elsewhere = (cmd: Command) => Boolean(cmd.ssh || cmd.prefix?.length);

const remoteEnv = (cmd: Command) => (elsewhere(cmd) && cmd.env && Object.keys(cmd.env).length ? cmd.env : undefined);

/** The argv actually executed: the command itself, through its prefix, or ssh carrying both. */
export function effectiveArgv(cmd: Command): string[] {
  if (!elsewhere(cmd)) return cmd.argv;
  const inner = [...(cmd.prefix ?? []), ...(remoteEnv(cmd) ? ['sh', '-c', ENV_READER, 'hbackup'] : []), ...cmd.argv];
  if (!cmd.ssh) return inner;
  return ['ssh', '-o', 'BatchMode=yes', ...(cmd.sshOptions ?? []), cmd.ssh, '--', inner.map(shellQuote).join(' ')];
}

/** The environment execa gives the executed program: none of the tool's own when it runs elsewhere (it travels on stdin). */
export const localEnv = (cmd: Command): Record<string, string> | undefined => (elsewhere(cmd) ? undefined : cmd.env);

/** What the executed argv reads first on its standard input: the environment of a command run elsewhere. */
export function stdinPrefix(cmd: Command): string {
  const env = remoteEnv(cmd);
  return env
    ? `${Object.entries(env)
        .map(([k, v]) => `${k}=${v}\n`)
        .join('')}\n`
    : '';
}

/** Shown in --dry-run and logs: env assignments, then the argv, each argument quoted if needed. */
export function displayCommand(cmd: Command): string {
  if (cmd.secretEnv && cmd.env) {
    return displayCommand({ ...cmd, secretEnv: false, env: Object.fromEntries(Object.keys(cmd.env).map((k) => [k, '***'])) });
  }
  if (elsewhere(cmd)) {
    const env = Object.entries(remoteEnv(cmd) ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    return [...effectiveArgv(cmd).map(shellQuote), ...(env.length ? [`(environment on stdin: ${env.join(' ')})`] : [])].join(' ');
  }
  const env = Object.entries(cmd.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, ...cmd.argv.map(shellQuote)].join(' ');
}

/** The real runner, on execa. */
export const execaRunner: Runner = async (cmd, opts = {}) => {
  const [file, ...args] = effectiveArgv(cmd);
  if (!file) throw new Error('empty command');
  await cmd.ready?.();
  const prefix = stdinPrefix(cmd);
  const child = execa(file, args, {
    env: localEnv(cmd),
    input: prefix ? prefix + (opts.input ?? '') : opts.input,
    timeout: opts.timeoutMs,
    reject: false,
    stripFinalNewline: false,
    buffer: opts.tail === undefined,
  });
  const tail = opts.tail;
  const kept = { stdout: '', stderr: '' };
  if (tail !== undefined) {
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]?.on('data', (chunk: Buffer) => {
        kept[name] += chunk.toString('utf8');
        if (kept[name].length > 2 * tail) kept[name] = kept[name].slice(-tail);
      });
    }
  }
  if (opts.onStderrLine && child.stderr) {
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) opts.onStderrLine?.(l);
    });
  }
  const r = await child;
  if (tail !== undefined) {
    r.stdout = kept.stdout.slice(-tail);
    r.stderr = kept.stderr.slice(-tail);
  }
  if (r.timedOut)
    return {
      exitCode: undefined,
      stdout: String(r.stdout ?? ''),
      stderr: `timed out after ${opts.timeoutMs} ms`,
      signal: r.signal ?? 'SIGTERM',
    };
  if (r.failed && r.exitCode === undefined && !r.signal) {
    throw new HbackupError(`cannot run ${file}: ${r.code ?? r.shortMessage}; check its path in the clusters file (tools:)`);
  }
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    signal: r.signal ?? undefined,
  };
};
