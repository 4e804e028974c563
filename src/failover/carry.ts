/**
 * At a change of roles the catalog follows the restore points. The new secondary's catalog gets
 * every restore point of the old secondary's catalog that it holds in full itself (the snapshots it
 * took as the primary carry the same names), with the two sides swapped; its own older entries stay
 * while it still holds their snapshots. So the next backup, in the new direction, copies only what
 * changed since the newest of them. Restore points only the new primary holds stay in its own
 * catalog, which backups in the new direction never delete (see backup/plan.ts).
 */

import { type Catalog, entryPath, type RestorePoint, writeRestorePoint } from '../catalog/catalog.js';
import { claimWrites } from '../catalog/claims.js';
import { missingOn } from '../datasets/index.js';
import type { Site } from '../sites/site.js';

/** A restore point seen from the other side: what was the source is the target, and the reverse. */
export function swapSides(p: RestorePoint): RestorePoint {
  return {
    ...p,
    primary: p.secondary,
    secondary: p.primary,
    carriedFrom: p.secondary,
    datasets: p.datasets.map((d) => ({ ...d, source: d.target, target: d.source })),
  };
}

export interface CatalogCarry {
  /** Entries written on the new secondary (sides swapped), oldest first. */
  write: RestorePoint[];
  /** Stamps of the new secondary's own entries whose snapshots it no longer holds. */
  drop: string[];
  /** Stamps of the old secondary's restore points the new one does not hold. */
  left: string[];
}

const holds = async (site: Site, p: RestorePoint) => (await missingOn(site, p.datasets)).length === 0;

/** Read-only: what the new secondary's catalog becomes. */
export async function planCarry(newSecondary: Site, from: Catalog, own: Catalog): Promise<CatalogCarry> {
  const carry: CatalogCarry = { write: [], drop: [], left: [] };
  for (const p of from.points) {
    const swapped = swapSides(p);
    if (await holds(newSecondary, swapped)) carry.write.push(swapped);
    else carry.left.push(p.stamp);
  }
  const written = new Set(carry.write.map((p) => p.stamp));
  for (const p of own.points) if (!written.has(p.stamp) && !(await holds(newSecondary, p))) carry.drop.push(p.stamp);
  return carry;
}

export async function applyCarry(site: Site, service: string, carry: CatalogCarry): Promise<void> {
  for (const s of carry.drop) await site.hdfs.delete(entryPath(service, s));
  for (const p of carry.write) {
    if (await site.hdfs.getFileStatus(entryPath(service, p.stamp))) await site.hdfs.delete(entryPath(service, p.stamp));
    await writeRestorePoint(site.hdfs, p);
  }
  // The new secondary's targets are this service's: a later full copy may replace their contents.
  const targets = new Set(carry.write.flatMap((p) => p.datasets.filter((d) => d.type === 'hdfs').map((d) => d.target)));
  for (const t of targets) for (const req of claimWrites(service, t)) await site.hdfs.send(req);
}
