/**
 * Names derived from a service and its moment: every snapshot of one run carries the same name.
 */

/** `2026-11-25T02:00:00.123Z` → `20261125T020000Z` (UTC, second precision). */
export function momentStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `20261125T020000Z` → Date. */
export function parseStamp(stamp: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) throw new Error(`not a moment stamp: ${stamp}`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/** The moment of a run: now, to the second. */
export function momentOf(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

export const snapshotName = (service: string, stamp: string): string => `hb-${service}-${stamp}`;

/** The stamp of one of this service's snapshots, or undefined for any other snapshot. */
export function stampOfSnapshot(service: string, name: string): string | undefined {
  const prefix = `hb-${service}-`;
  if (!name.startsWith(prefix)) return undefined;
  const stamp = name.slice(prefix.length);
  return /^\d{8}T\d{6}Z$/.test(stamp) ? stamp : undefined;
}

/**
 * The snapshots a run takes of a directory's present state before it rolls it back, named after the
 * run's snapshot so the service's next run knows them as its own: they belong to no restore point,
 * and once the run is over (or dead) they are only left over.
 */
export const beforeRollbackName = (snapshot: string): string => `${snapshot}.before-rollback`;
export const beforeRestoreName = (snapshot: string, stamp: string): string => `${snapshot}.before-restore-${stamp}`;

/** The stamp of one of this service's left-over snapshots (before a roll-back or a restore), or undefined. */
export function stampOfLeftover(service: string, name: string): string | undefined {
  const m = /^(.*)\.(?:before-rollback|before-restore-\d{8}T\d{6}Z)$/.exec(name);
  return m ? stampOfSnapshot(service, m[1]!) : undefined;
}

/** `20261125T020000Z` → `2026-11-25T02:00:00Z`. */
export const isoMoment = (stamp: string): string =>
  parseStamp(stamp)
    .toISOString()
    .replace(/\.000Z$/, 'Z');
