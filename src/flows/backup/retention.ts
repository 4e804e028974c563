/**
 * What to delete, decided from stamps alone (pure): snapshots a crashed run left without a catalog
 * entry, and restore points beyond the policy's retention on each side (a count, or a thinning by
 * age: thinning.ts). The newest restore point —
 * the snapshot both sides share, which the next incremental copy starts from — is never deleted,
 * nor is anything of a catalog entry that could not be read.
 */
import type { OwnSnapshot } from '../../datasets/kind.js';
import { type Keep, keptStamps } from './thinning.js';

export interface RetentionInput {
  /** Stamps of the catalog's readable restore points. */
  restorePoints: string[];
  /** Stamps of catalog entries that could not be read: kept, with their snapshots, until someone looks. */
  protect?: string[];
  /** This service's snapshots per data-set location, on the primary (source) and the secondary (target). */
  sourceSnapshots: Record<string, OwnSnapshot[]>;
  targetSnapshots: Record<string, OwnSnapshot[]>;
  keepPrimary: Keep;
  keepSecondary: Keep;
  /** What a thinning's ages are measured from. */
  now: Date;
  /** The stamp of the run in progress: never an orphan. */
  current?: string;
}

export interface SnapshotRef {
  location: string;
  name: string;
  why: 'orphan' | 'retention';
  partial?: boolean;
}

export interface RetentionPlan {
  deleteRestorePoints: string[];
  deleteSource: SnapshotRef[];
  deleteTarget: SnapshotRef[];
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const points = [...input.restorePoints].sort();
  const newest = points[points.length - 1];
  const keptOnSecondary = keptStamps(points, input.keepSecondary, input.now);
  const deleteRestorePoints = points.filter((s) => !keptOnSecondary.has(s));
  const known = new Set(points);
  const protect = new Set(input.protect ?? []);

  const decide = (snaps: Record<string, OwnSnapshot[]>, keep: (stamp: string, ownStamps: string[]) => boolean) => {
    const out: SnapshotRef[] = [];
    for (const [location, own] of Object.entries(snaps)) {
      const ownStamps = own
        .map((x) => x.stamp)
        .filter((s) => known.has(s))
        .sort();
      for (const { name, stamp, partial, leftover } of own) {
        if (partial || leftover) {
          out.push({ location, name, why: 'orphan', ...(partial ? { partial } : {}) });
          continue;
        }
        if (stamp === input.current || stamp === newest || protect.has(stamp)) continue;
        if (!known.has(stamp)) out.push({ location, name, why: 'orphan' });
        else if (!keep(stamp, ownStamps)) out.push({ location, name, why: 'retention' });
      }
    }
    return out;
  };

  return {
    deleteRestorePoints,
    deleteSource: decide(input.sourceSnapshots, (stamp, own) => keptStamps(own, input.keepPrimary, input.now).has(stamp)),
    deleteTarget: decide(input.targetSnapshots, (stamp) => keptOnSecondary.has(stamp)),
  };
}
