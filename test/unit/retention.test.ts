// Retention and crash clean-up decide from names alone.
import { describe, expect, it } from 'vitest';
import { planRetention } from '../../src/backup/retention.js';

const s = (stamp: string) => `hb-svc-${stamp}`;
const T = ['20261101T000000Z', '20261102T000000Z', '20261103T000000Z', '20261104T000000Z'];

describe('planRetention', () => {
  it('keeps the newest N on each side and deletes catalog entries beyond the secondary\'s N', () => {
    const plan = planRetention({
      service: 'svc', restorePoints: T, keepPrimary: 1, keepSecondary: 3,
      sourceSnapshots: { '/d': T.map(s) }, targetSnapshots: { '/t': T.map(s) },
    });
    expect(plan.deleteRestorePoints).toEqual([T[0]]);
    expect(plan.deleteSource.map((x) => x.name)).toEqual([s(T[0]!), s(T[1]!), s(T[2]!)]);
    expect(plan.deleteTarget.map((x) => x.name)).toEqual([s(T[0]!)]);
  });

  it('treats snapshots without a catalog entry as left by an interrupted run, except the current one', () => {
    const orphan = '20261105T000000Z';
    const current = '20261106T000000Z';
    const plan = planRetention({
      service: 'svc', restorePoints: T.slice(0, 2), keepPrimary: 5, keepSecondary: 5, current,
      sourceSnapshots: { '/d': [s(T[0]!), s(T[1]!), s(orphan), s(current)] }, targetSnapshots: { '/t': [s(orphan)] },
    });
    expect(plan.deleteSource).toEqual([{ dir: '/d', name: s(orphan), why: 'orphan' }]);
    expect(plan.deleteTarget).toEqual([{ dir: '/t', name: s(orphan), why: 'orphan' }]);
  });

  it('never deletes the newest restore point, the base of the next incremental copy', () => {
    const newer = '20261105T000000Z'; // a newer snapshot of a crashed run still on the primary
    const plan = planRetention({
      service: 'svc', restorePoints: T, keepPrimary: 1, keepSecondary: 1,
      sourceSnapshots: { '/d': [s(T[3]!), s(newer)] }, targetSnapshots: { '/t': [s(T[3]!)] },
    });
    expect(plan.deleteSource.map((x) => x.name)).toEqual([s(newer)]);
    expect(plan.deleteTarget).toEqual([]);
  });

  it('leaves other tools\' and other services\' snapshots alone', () => {
    const plan = planRetention({
      service: 'svc', restorePoints: [], keepPrimary: 1, keepSecondary: 1,
      sourceSnapshots: { '/d': ['nightly', 'hb-other-20261101T000000Z', 'hb-svc-latest'] }, targetSnapshots: {},
    });
    expect(plan.deleteSource).toEqual([]);
  });
});
