// Retention and crash clean-up decide from names alone.
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../src/flows/backup/retention.js';

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
      sourceSnapshots: { '/d': own([T[3]!, unreadable]) },
      targetSnapshots: { '/t': own([T[3]!, unreadable]) },
    });
    expect(plan.deleteSource).toEqual([]);
    expect(plan.deleteTarget).toEqual([]);
  });
});
