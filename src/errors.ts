/**
 * Exit codes and the errors that carry them. Only the entry point turns them into an exit;
 * everything else throws. A HbackupError's message is one line a person can act on.
 */

/** The exit codes, once: the help text and the README table are made from this list. */
export const EXIT_CODES = [
  { code: 0, meaning: 'ok; for `--dry-run`: the plan was printed and nothing was changed' },
  {
    code: 1,
    meaning:
      'failed: a step failed, a cluster stopped answering, or the catalog holds an entry that cannot be read (the previous restore point is intact)',
  },
  { code: 2, meaning: 'invalid input: command line, policy or clusters file (every mistake as `file:line:col: …`)' },
  {
    code: 3,
    meaning:
      'preflight refused: nothing was changed (a cluster unreachable, clock skew, a directory not snapshottable, `--no-fallback` and an incremental copy impossible, …)',
  },
  {
    code: 75,
    meaning: 'another run holds the lock: of the same service (cron started it twice), or a failover or failback changing the identities',
  },
] as const;

export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  PREFLIGHT: 3,
  LOCKED: 75,
} as const;

/** The exit-code section of `--help`. */
export const exitCodesHelp = (): string =>
  `\nExit codes:\n${EXIT_CODES.map((e) => `  ${String(e.code).padEnd(3)} ${e.meaning}`).join('\n')}`;

export class HbackupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.FAILED,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command line or unreadable input file. */
export class UsageError extends HbackupError {
  constructor(message: string) {
    super(message, ExitCode.USAGE);
  }
}

/** One located mistake in a configuration file. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export const formatProblem = (p: ConfigProblem): string => `${p.file}:${p.line}:${p.col}: ${p.message}`;

/** Every mistake of a policy or clusters file, reported at once. */
export class ConfigError extends HbackupError {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'), ExitCode.USAGE);
  }
}

/** A preflight check refused the run; nothing was changed. */
export class PreflightError extends HbackupError {
  constructor(readonly reasons: string[]) {
    super(`preflight refused: ${reasons.join('; ')}`, ExitCode.PREFLIGHT);
  }
}

/** What the moment captured changed while it was captured (a Hive DDL): the capture is taken again. */
export class MomentMovedError extends HbackupError {
  /** `since`: when the capture that moved first asked for a snapshot (ms since the epoch). */
  constructor(
    message: string,
    readonly since: number,
  ) {
    super(message, ExitCode.FAILED);
  }
}

/** Kerberos refused hbackup's credentials (a wrong keytab, an expired ticket): nothing was changed. */
export class KerberosError extends HbackupError {
  constructor(message: string) {
    super(message, ExitCode.PREFLIGHT);
  }
}

/** Another run of the same service holds the lock. */
export class LockedError extends HbackupError {
  constructor(message: string) {
    super(message, ExitCode.LOCKED);
  }
}

/** A cluster could not be reached at all. */
export class UnreachableError extends HbackupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.FAILED, options);
  }
}

/** WebHDFS answered with a RemoteException, or with something that is not WebHDFS. */
export class WebHdfsError extends HbackupError {
  constructor(
    readonly status: number,
    readonly exception: string,
    readonly remoteMessage: string,
    readonly operation: string,
  ) {
    super(`${operation}: ${exception}: ${remoteMessage}`);
  }
}

/** The catalog on the secondary holds something hbackup cannot use, or refused a write. */
export class CatalogError extends HbackupError {}

/** An external tool (hadoop, hdfs, hbase, a hook) failed. */
export class ToolError extends HbackupError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCodeOfTool: number | undefined,
    readonly stderrTail: string,
    hint?: string,
  ) {
    super(
      `${argv.slice(0, 2).join(' ')} exited with ${exitCodeOfTool ?? 'a signal'}${causeLine(stderrTail, ': ')}${hint ? ` (${hint})` : ''}`,
    );
  }
}

/**
 * Text from a server or a tool as one cleaned, shortened line: the last non-empty line, control
 * characters removed, at most `max` characters; `prefix` before it when there is any.
 */
export function lastLine(text: string, prefix = '', max = 300): string {
  const line =
    text
      .split('\n')
      .map((l) => cleanLine(l, max))
      .filter(Boolean)
      .pop() ?? '';
  return line ? `${prefix}${line}` : '';
}

/** A Java stack frame or its elision (`at org.apache…`, `... 12 more`): never the cause. */
const FRAME = /^\s*(?:at\s+\S+|\.\.\.\s*\d+\s+more)\s*$/;
/** A thrown exception's line: `java.io.FileNotFoundException: …`, or `Caused by: …` (the deeper cause). */
const THROWN = /^\s*(?:Caused by:\s*)?(?:[\w$]+\.)*[\w$]*(?:Exception|Error)\b/;

/**
 * Why a tool failed, as one cleaned line: a Java tool's deepest exception (its last `Caused by:`, or
 * the exception line itself) rather than the stack frame it printed last; otherwise the last line.
 */
export function causeLine(text: string, prefix = '', max = 300): string {
  const lines = text.split('\n').filter((l) => l.trim() && !FRAME.test(l));
  const thrown = lines.filter((l) => THROWN.test(l)).pop();
  const line = cleanLine((thrown ?? lines.pop() ?? '').replace(/^\s*Caused by:\s*/, ''), max);
  return line ? `${prefix}${line}` : '';
}

/** One line of foreign text made safe to print: no control characters, trimmed, shortened. */
export function cleanLine(text: string, max = 300): string {
  const clean = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
