// Retention and crash clean-up decide from names alone.
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../src/flows/backup/retention.js';
import { describeKeep, keptStamps } from '../../src/flows/backup/thinning.js';

const s = (stamp: string) => `hb-svc-${stamp}`;
/** This service's snapshots of one location, as a data-set kind lists them. */
const own = (stamps: string[]) => stamps.map((stamp) => ({ name: s(stamp), stamp }));
const T = ['20261101T000000Z', '20261102T000000Z', '20261103T000000Z', '20261104T000000Z'];

describe('planRetention', () => {
  it("keeps the newest N on each side and deletes catalog entries beyond the secondary's N", () => {
    const plan = planRetention({
      restorePoints: T,
      keepPrimary: 1,
      keepSecondary: 3,
      now: new Date('2026-11-30T00:00:00Z'),
      sourceSnapshots: { '/d': own(T) },
      targetSnapshots: { '/t': own(T) },
    });
    expect(plan.deleteRestorePoints).toEqual([T[0]]);
    expect(plan.deleteSource.map((x) => x.name)).toEqual([s(T[0]!), s(T[1]!), s(T[2]!)]);
    expect(plan.deleteTarget.map((x) => x.name)).toEqual([s(T[0]!)]);
  });

  it('treats snapshots without a catalog entry as left by an interrupted run, except the current one', () => {
    const orphan = '20261105T000000Z';
    const current = '20261106T000000Z';
    const plan = planRetention({
      restorePoints: T.slice(0, 2),
      keepPrimary: 5,
      keepSecondary: 5,
      now: new Date('2026-11-30T00:00:00Z'),
      current,
      sourceSnapshots: { '/d': own([T[0]!, T[1]!, orphan, current]) },
      targetSnapshots: { '/t': own([orphan]) },
    });
    expect(plan.deleteSource).toEqual([{ location: '/d', name: s(orphan), why: 'orphan' }]);
    expect(plan.deleteTarget).toEqual([{ location: '/t', name: s(orphan), why: 'orphan' }]);
  });

  it('never deletes the newest restore point, the base of the next incremental copy', () => {
    const newer = '20261105T000000Z'; // a newer snapshot of a crashed run still on the primary
    const plan = planRetention({
      restorePoints: T,
      keepPrimary: 1,
      keepSecondary: 1,
      now: new Date('2026-11-30T00:00:00Z'),
      sourceSnapshots: { '/d': own([T[3]!, newer]) },
      targetSnapshots: { '/t': own([T[3]!]) },
    });
    expect(plan.deleteSource.map((x) => x.name)).toEqual([s(newer)]);
    expect(plan.deleteTarget).toEqual([]);
  });

  it('keeps everything of a catalog entry that cannot be read', () => {
    const unreadable = '20261105T000000Z';
    const plan = planRetention({
      restorePoints: T,
      protect: [unreadable],
      keepPrimary: 1,
      keepSecondary: 1,
      now: new Date('2026-11-30T00:00:00Z'),
      sourceSnapshots: { '/d': own([T[3]!, unreadable]) },
      targetSnapshots: { '/t': own([T[3]!, unreadable]) },
    });
    expect(plan.deleteSource).toEqual([]);
    expect(plan.deleteTarget).toEqual([]);
  });
});

describe('thinning', () => {
  /** A point every 10 minutes for three days, ending now. */
  const now = new Date('2026-11-25T12:00:00Z');
  const every10min = Array.from({ length: 3 * 144 }, (_, i) => {
    const t = new Date(now.getTime() - i * 600_000);
    return t
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  });

  it('keeps every point within the span, then the newest of each hour and day, an earlier rule counting first', () => {
    const kept = [...keptStamps(every10min, { within: 3600, hourly: 24, daily: 3 }, now)].sort();
    // The last hour: 12:00 back to 11:00 (7 points); then the newest of each of the 24 hours before
    // (10:50 back to the 24th at 11:50); then the newest point of each day: the 25th's and the 24th's
    // are kept already and do not count, so the 23rd's and the 22nd's (23:50) are kept.
    const within = kept.filter((s) => s >= '20261125T110000Z');
    expect(within).toHaveLength(7);
    const hourly = kept.filter((s) => s < '20261125T110000Z' && s >= '20261124T105000Z');
    expect(hourly).toHaveLength(24);
    expect(hourly.every((s) => s.slice(11, 13) === '50')).toBe(true);
    expect(kept.filter((s) => s < '20261124T105000Z')).toEqual(['20261122T235000Z', '20261123T235000Z']);
    expect(kept).toHaveLength(7 + 24 + 2);
  });

  it('keeps the newest point whatever the rules, and the newest N for a count', () => {
    const old = ['20250101T000000Z', '20250102T000000Z'];
    expect([...keptStamps(old, { within: 60 }, now)]).toEqual(['20250102T000000Z']);
    expect([...keptStamps(every10min, 3, now)]).toEqual(every10min.slice(0, 3));
  });

  it('thins restore points on the secondary and snapshots on the primary by age', () => {
    const points = every10min.slice(0, 12).reverse(); // the last two hours, oldest first
    const plan = planRetention({
      restorePoints: points,
      keepPrimary: { within: 1800 },
      keepSecondary: { within: 3600, hourly: 1 },
      now,
      sourceSnapshots: { '/d': own(points) },
      targetSnapshots: { '/t': own(points) },
    });
    // Secondary: 11:00…12:00 (7) and 10:50 (the hour before) stay; 10:10…10:40 go.
    expect(plan.deleteRestorePoints).toEqual(points.slice(0, 4));
    expect(plan.deleteTarget.map((x) => x.name)).toEqual(points.slice(0, 4).map(s));
    // Primary: the last half hour (4 points) stays.
    expect(plan.deleteSource.map((x) => x.name)).toEqual(points.slice(0, 8).map(s));
  });

  it('says a retention in words', () => {
    expect(describeKeep(14)).toBe('14');
    expect(describeKeep({ within: 3600, hourly: 24, daily: 30 })).toBe('every point within 1h, 24 hourly, 30 daily');
  });
});
