/**
 * At a change of roles the catalog follows the restore points. The new secondary's catalog gets
 * every restore point of the old secondary's catalog that it holds in full itself (the snapshots it
 * took as the primary carry the same names), with the two sides swapped; its own older entries stay
 * while it still holds their snapshots. So the next backup, in the new direction, copies only what
 * changed since the newest of them. Restore points only the new primary holds stay in its own
 * catalog, which backups in the new direction never delete (see backup/plan.ts).
 */
import { type Catalog, entryDelete, entryPath, entryWrites, type RestorePoint, readCatalog } from '../../catalog/catalog.js';
import { claimWrites } from '../../catalog/claims.js';
import { swapped } from '../../config/load.js';
import { type Change, httpChange } from '../../core/change.js';
import { missingOn } from '../../datasets/index.js';
import type { Site } from '../../sites/site.js';

/** A restore point seen from the other side: what was the source is the target, and the reverse. */
export function swapSides(p: RestorePoint): RestorePoint {
  return { ...p, primary: p.secondary, secondary: p.primary, carriedFrom: p.secondary, datasets: p.datasets.map(swapped) };
}

export interface CatalogCarry {
  /** Entries written on the new secondary (sides swapped), oldest first. */
  write: RestorePoint[];
  /** Stamps of the new secondary's own entries whose snapshots it no longer holds. */
  drop: string[];
  /** Stamps of the old secondary's restore points the new one does not hold. */
  left: string[];
  /** The calls that make it so, in order. */
  changes: Change[];
}

const holds = async (site: Site, p: RestorePoint) => (await missingOn(site, p.datasets)).length === 0;

/** Read-only: what the new secondary's catalog becomes, and the calls that make it so. */
export async function planCarry(newSecondary: Site, service: string, from: Catalog, own: Catalog): Promise<CatalogCarry> {
  const carry: CatalogCarry = { write: [], drop: [], left: [], changes: [] };
  for (const p of from.points) {
    const swappedPoint = swapSides(p);
    if (await holds(newSecondary, swappedPoint)) carry.write.push(swappedPoint);
    else carry.left.push(p.stamp);
  }
  const written = new Set(carry.write.map((p) => p.stamp));
  for (const p of own.points) if (!written.has(p.stamp) && !(await holds(newSecondary, p))) carry.drop.push(p.stamp);
  const on = (r: Parameters<typeof httpChange>[1], data?: string) => httpChange(newSecondary, r, data);
  carry.changes.push(...carry.drop.map((s) => on(entryDelete(service, s))));
  const ownStamps = new Set(own.points.map((p) => p.stamp));
  for (const p of carry.write) {
    if (ownStamps.has(p.stamp) || (await newSecondary.hdfs.getFileStatus(entryPath(service, p.stamp))))
      carry.changes.push(on(entryDelete(service, p.stamp)));
    const data = `${JSON.stringify(p, null, 2)}\n`;
    carry.changes.push(...entryWrites(service, p.stamp).map((r) => on(r, r.op === 'CREATE' ? data : undefined)));
  }
  // The new secondary's targets are this service's: a later full copy may replace their contents.
  const targets = new Set(carry.write.flatMap((p) => p.datasets.filter((d) => d.type === 'hdfs').map((d) => d.target)));
  for (const t of targets) carry.changes.push(...claimWrites(service, t).map((r) => on(r, r.op === 'CREATE' ? '' : undefined)));
  return carry;
}

/** Read both catalogs and plan the carry of a service's catalog to the new secondary. */
export async function carryOf(newPrimary: Site, newSecondary: Site, service: string): Promise<CatalogCarry> {
  return planCarry(newSecondary, service, await readCatalog(newPrimary.hdfs, service), await readCatalog(newSecondary.hdfs, service));
}
