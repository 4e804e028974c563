/**
 * Which services are due: a policy's cron `schedule` (UTC) has fired since the moment of its
 * newest restore point (a service that missed several slots is due once, for the latest one), or,
 * for `every <span>`, its newest restore point is that old.
 */
import { dueSlot } from '../config/schedule.js';

export interface Due {
  due: boolean;
  /** Why, in a few words. */
  reason: string;
  slot: Date | undefined;
}

/** Is a service with this schedule and newest restore point (its moment, if any) due at `now`? */
export function isDue(schedule: string | undefined, newestMoment: Date | undefined, now: Date): Due {
  if (!schedule) return { due: false, reason: 'no schedule (on demand only)', slot: undefined };
  const slot = dueSlot(schedule, newestMoment, now);
  if (!slot) return { due: false, reason: 'the schedule has not fired yet', slot };
  const at = slot.toISOString().replace(/\.000Z$/, 'Z');
  if (schedule.trim().startsWith('every')) {
    if (!newestMoment) return { due: true, reason: 'no restore point yet', slot };
    if (slot.getTime() > now.getTime()) return { due: false, reason: `next at ${at}`, slot };
    return { due: true, reason: `the newest restore point is older than ${schedule.trim().slice(6)}`, slot };
  }
  if (!newestMoment) return { due: true, reason: `no restore point yet; slot ${at}`, slot };
  if (newestMoment.getTime() >= slot.getTime()) return { due: false, reason: `restore point of slot ${at} exists`, slot };
  return { due: true, reason: `slot ${at} has no restore point`, slot };
}
