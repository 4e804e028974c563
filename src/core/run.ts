/**
 * What every flow does around its body: it ends with a typed outcome, its error in one line, and how
 * long it took — whatever happened; and, before live data or roles change, a person is asked (or
 * `--yes` says so).
 */
import { PreflightError } from '../errors.js';
import type { Progress } from './events.js';
import { type Outcome, settle } from './outcome.js';

export interface FlowReport {
  result: Outcome;
  error?: string;
  durationMs: number;
}

/** Run a flow's body: its outcome is what it returns ('ok' by default) or what its error stands for. */
export async function runFlow<R extends FlowReport>(
  report: R,
  io: { now: () => Date; progress: Progress },
  body: () => Promise<Outcome | undefined>,
): Promise<R> {
  const started = io.now().getTime();
  try {
    report.result = (await body()) ?? 'ok';
  } catch (e) {
    settle(report, e, (t) => io.progress.debug(t));
  } finally {
    report.durationMs = io.now().getTime() - started;
  }
  return report;
}

/** How a flow may ask: `--yes`, or a person at a terminal (undefined when there is none). */
export interface Asking {
  yes: boolean;
  confirm: ((question: string) => Promise<boolean>) | undefined;
}

/** Ask before a change people rely on; refused (nothing changed) without a terminal and without --yes, or when not confirmed. */
export async function confirmOrRefuse(asking: Asking, question: string, why: string): Promise<void> {
  if (asking.yes) return;
  if (!asking.confirm) throw new PreflightError([`${why}: pass --yes, or run it on a terminal to be asked`]);
  if (!(await asking.confirm(question))) throw new PreflightError(['not confirmed; nothing was changed']);
}
