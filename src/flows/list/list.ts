/**
 * The restore points of a service, from the secondary's catalog, each checked against the
 * secondary: a snapshot deleted by hand leaves an entry that cannot be restored from, and says so.
 * An unreachable secondary is an error, never a list of missing snapshots. And what hbackup made for
 * the service that belongs to no restore point, on both sites, with what it keeps alive.
 */
import { type RestorePoint, readCatalog, type UnreadableEntry } from '../../catalog/catalog.js';
import { missingOn } from '../../datasets/index.js';
import type { DatasetSpec } from '../../datasets/kind.js';
import { type Leftover, leftoversOf } from '../../datasets/leftovers.js';
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
  /** What hbackup made for the service that belongs to no restore point (the next backup removes it). */
  leftovers: Leftover[];
  /** Where left-overs could not be looked for (the primary does not answer). */
  notLooked?: string;
}

export async function listRestorePoints(
  sites: { primary: Site; secondary: Site },
  service: string,
  specs: DatasetSpec[],
): Promise<Listing> {
  const { primary, secondary } = sites;
  const catalog = await readCatalog(secondary.hdfs, service);
  const restorePoints: ListedPoint[] = [];
  for (const p of catalog.points) {
    const missing = await missingOn(secondary, p.datasets);
    restorePoints.push({ ...p, intact: missing.length === 0, missing });
  }
  // The primary is read for its side of the left-overs; one that does not answer is said, never taken for clean.
  const own = await readCatalog(primary.hdfs, service).catch((e: Error) => e);
  const reachable = !(own instanceof Error);
  const catalogs = [{ site: secondary, catalog }, ...(reachable ? [{ site: primary, catalog: own }] : [])];
  const leftovers = await leftoversOf({ primary: reachable ? primary : undefined, secondary }, service, specs, catalogs);
  return {
    service,
    secondary: secondary.name,
    restorePoints,
    unreadable: catalog.unreadable,
    leftovers,
    ...(reachable ? {} : { notLooked: `${primary.name} does not answer (${own.message}): its left-overs were not looked for` }),
  };
}
