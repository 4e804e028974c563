/**
 * The restore points of a service, from the secondary's catalog, each checked against the
 * secondary: a snapshot deleted by hand leaves an entry that cannot be restored from, and says so.
 * An unreachable secondary is an error, never a list of missing snapshots.
 */
import { type RestorePoint, readCatalog, type UnreadableEntry } from '../../catalog/catalog.js';
import { missingOn } from '../../datasets/index.js';
import type { Site } from '../../sites/site.js';

export interface ListedPoint extends RestorePoint {
  /** Every data set's copy is still on the secondary. */
  intact: boolean;
  /** What is gone (an HDFS snapshot path, …). */
  missing: string[];
}

export interface Listing {
  service: string;
  secondary: string;
  restorePoints: ListedPoint[];
  unreadable: UnreadableEntry[];
}

export async function listRestorePoints(secondary: Site, service: string): Promise<Listing> {
  const catalog = await readCatalog(secondary.hdfs, service);
  const restorePoints: ListedPoint[] = [];
  for (const p of catalog.points) {
    const missing = await missingOn(secondary, p.datasets);
    restorePoints.push({ ...p, intact: missing.length === 0, missing });
  }
  return { service, secondary: secondary.name, restorePoints, unreadable: catalog.unreadable };
}
