/**
 * Which services are due: a policy's cron `schedule` (UTC) has fired since the moment of its
 * newest restore point. A service that missed several slots is due once, for the latest one.
 */
import { Cron } from 'croner';

/** The latest slot of a schedule at or before `now`. */
function latestSlot(schedule: string, now: Date): Date | undefined {
  // previousRuns looks strictly before its reference: one second on, a slot at `now` counts.
  return new Cron(schedule, { timezone: 'UTC', paused: true }).previousRuns(1, new Date(now.getTime() + 1000))[0];
}

/** The time between two slots of a schedule (the first two after `from`), in seconds. */
export function scheduleIntervalSeconds(schedule: string, from: Date): number | undefined {
  const [a, b] = new Cron(schedule, { timezone: 'UTC', paused: true }).nextRuns(2, from);
  return a && b ? (b.getTime() - a.getTime()) / 1000 : undefined;
}

export interface Due {
  due: boolean;
  /** Why, in a few words. */
  reason: string;
  slot: Date | undefined;
}

/** Is a service with this schedule and newest restore point (its moment, if any) due at `now`? */
export function isDue(schedule: string | undefined, newestMoment: Date | undefined, now: Date): Due {
  if (!schedule) return { due: false, reason: 'no schedule (on demand only)', slot: undefined };
  const slot = latestSlot(schedule, now);
  if (!slot) return { due: false, reason: 'the schedule has not fired yet', slot };
  const at = slot.toISOString().replace(/\.000Z$/, 'Z');
  if (!newestMoment) return { due: true, reason: `no restore point yet; slot ${at}`, slot };
  if (newestMoment.getTime() >= slot.getTime()) return { due: false, reason: `restore point of slot ${at} exists`, slot };
  return { due: true, reason: `slot ${at} has no restore point`, slot };
}
