/**
 * What to delete, decided from names alone (pure): snapshots a crashed run left without a catalog
 * entry, and restore points beyond the policy's retention on each side. The newest restore point —
 * the snapshot both sides share, which the next incremental copy starts from — is never deleted.
 */
import { stampOfSnapshot } from './names.js';

export interface RetentionInput {
  service: string;
  /** Stamps of the catalog's restore points. */
  restorePoints: string[];
  /** Snapshot names per source directory (primary) and per target directory (secondary). */
  sourceSnapshots: Record<string, string[]>;
  targetSnapshots: Record<string, string[]>;
  keepPrimary: number;
  keepSecondary: number;
  /** The stamp of the run in progress: never an orphan. */
  current?: string;
}

export interface SnapshotRef {
  dir: string;
  name: string;
  why: 'orphan' | 'retention';
}

export interface RetentionPlan {
  deleteRestorePoints: string[];
  deleteSource: SnapshotRef[];
  deleteTarget: SnapshotRef[];
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const points = [...input.restorePoints].sort();
  const newest = points[points.length - 1];
  const keptOnSecondary = new Set(points.slice(-input.keepSecondary));
  if (newest) keptOnSecondary.add(newest);
  const deleteRestorePoints = points.filter((s) => !keptOnSecondary.has(s));
  const known = new Set(points);

  const decide = (snaps: Record<string, string[]>, keep: (stamp: string, ownStamps: string[]) => boolean) => {
    const out: SnapshotRef[] = [];
    for (const [dir, names] of Object.entries(snaps)) {
      const own = names
        .map((name) => ({ name, stamp: stampOfSnapshot(input.service, name) }))
        .filter((x): x is { name: string; stamp: string } => x.stamp !== undefined);
      const ownStamps = own.map((x) => x.stamp).filter((s) => known.has(s)).sort();
      for (const { name, stamp } of own) {
        if (stamp === input.current || stamp === newest) continue;
        if (!known.has(stamp)) out.push({ dir, name, why: 'orphan' });
        else if (!keep(stamp, ownStamps)) out.push({ dir, name, why: 'retention' });
      }
    }
    return out;
  };

  return {
    deleteRestorePoints,
    deleteSource: decide(input.sourceSnapshots, (stamp, own) => own.slice(-input.keepPrimary).includes(stamp)),
    deleteTarget: decide(input.targetSnapshots, (stamp) => keptOnSecondary.has(stamp)),
  };
}
