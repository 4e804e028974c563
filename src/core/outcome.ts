/**
 * How a flow ends, typed, and the one place that turns outcomes into the process's exit code.
 */
import { ExitCode, HbackupError } from '../errors.js';

export type Outcome = 'ok' | 'planned' | 'failed' | 'invalid' | 'refused' | 'locked';

const CODES: Record<Outcome, number> = {
  ok: ExitCode.OK,
  planned: ExitCode.OK,
  failed: ExitCode.FAILED,
  invalid: ExitCode.USAGE,
  refused: ExitCode.PREFLIGHT,
  locked: ExitCode.LOCKED,
};

/** The outcome an error stands for: its class says it (a plain Error is a failure). */
export function outcomeOf(e: unknown): Outcome {
  if (!(e instanceof HbackupError)) return 'failed';
  switch (e.exitCode) {
    case ExitCode.USAGE:
      return 'invalid';
    case ExitCode.PREFLIGHT:
      return 'refused';
    case ExitCode.LOCKED:
      return 'locked';
    default:
      return 'failed';
  }
}

/** Several outcomes (one per service or file), one exit code: that of the first that did not succeed. */
export function exitCode(outcomes: readonly Outcome[]): number {
  const first = outcomes.find((o) => CODES[o] !== ExitCode.OK);
  return first ? CODES[first] : ExitCode.OK;
}

/** A flow that threw: its report says how it ended and why; a stack is shown only with --verbose, for what is not hbackup's own error. */
export function settle(report: { result: Outcome; error?: string }, e: unknown, debug: (text: string) => void): void {
  report.result = outcomeOf(e);
  report.error = (e as Error).message;
  if (!(e instanceof HbackupError)) debug((e as Error).stack ?? String(e));
}
