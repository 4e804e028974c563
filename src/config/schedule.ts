/**
 * A service's schedule, as a policy writes it: a cron expression (five fields, UTC) for moments at
 * set times, or `every <span>` (every 30s, every 5m) for a service run continuously — as soon as
 * its newest restore point is that old (`run-due --watch`; cron cannot fire more than once a minute).
 */
import { Cron } from 'croner';
import { parseSpan } from './values.js';

const EVERY = /^every\s+(\S+)$/;

/** The span of an `every` schedule in seconds; undefined for a cron expression. */
export function everySeconds(schedule: string): number | undefined {
  const m = EVERY.exec(schedule.trim());
  return m ? parseSpan(m[1]!) : undefined;
}

/** What is wrong with a schedule, in words with an example; undefined when it is one. */
export function scheduleProblem(schedule: string): string | undefined {
  const every = EVERY.exec(schedule.trim());
  if (every) {
    const s = parseSpan(every[1]!);
    if (s === undefined) return `"${every[1]}" is not a span; write e.g. "every 30s" or "every 5m"`;
    return s < 5 ? 'at least every 5s' : undefined;
  }
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5)
    return `has ${fields.length} fields; write 5: minute hour day-of-month month day-of-week (UTC), e.g. "0 2 * * *", or "every 30s"`;
  try {
    if (!new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRun()) return 'it never fires (a day that does not exist in its month?)';
  } catch (e) {
    return `${(e as Error).message.replace(/^CronPattern: /, '')}; e.g. "0 2 * * *" for 02:00 UTC daily`;
  }
  return undefined;
}

const cron = (schedule: string) => new Cron(schedule, { timezone: 'UTC', paused: true });

/** Seconds between two slots (the first two after `from` for cron); undefined when it cannot be read. */
export function intervalSeconds(schedule: string, from = new Date()): number | undefined {
  const every = everySeconds(schedule);
  if (every !== undefined) return every;
  try {
    const [a, b] = cron(schedule).nextRuns(2, from);
    return a && b ? (b.getTime() - a.getTime()) / 1000 : undefined;
  } catch {
    return undefined; // not a schedule: validation says why
  }
}

/**
 * The slot the newest restore point should answer at `now`: for cron, the latest slot at or before
 * now; for `every`, the newest moment plus the span (now when there is none yet).
 */
export function dueSlot(schedule: string, newest: Date | undefined, now: Date): Date | undefined {
  const every = everySeconds(schedule);
  if (every !== undefined) return newest ? new Date(newest.getTime() + every * 1000) : now;
  // previousRuns looks strictly before its reference: one second on, a slot at `now` counts.
  return cron(schedule).previousRuns(1, new Date(now.getTime() + 1000))[0];
}

/** The next slot after `after` (for `every`: after the newest moment). */
export function nextSlot(schedule: string, after: Date): Date | undefined {
  const every = everySeconds(schedule);
  if (every !== undefined) return new Date(after.getTime() + every * 1000);
  return cron(schedule).nextRun(after) ?? undefined;
}
