/**
 * Exit codes and the errors that carry them. Only the entry point turns them into an exit;
 * everything else throws. A HbackupError's message is one line a person can act on.
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  PREFLIGHT: 3,
  LOCKED: 75,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

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

/** WebHDFS answered with a RemoteException. */
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

/** An external tool (hadoop, hdfs, hbase) failed. */
export class ToolError extends HbackupError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCodeOfTool: number | undefined,
    readonly stderrTail: string,
    hint?: string,
  ) {
    const tail = stderrTail.trim().split('\n').slice(-1)[0] ?? '';
    super(
      `${argv.slice(0, 2).join(' ')} exited with ${exitCodeOfTool ?? 'a signal'}${tail ? `: ${tail}` : ''}` +
        (hint ? ` (${hint})` : ''),
    );
  }
}
