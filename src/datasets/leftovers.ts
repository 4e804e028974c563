/**
 * What hbackup made for a service that belongs to no restore point: snapshots of no catalog entry
 * (a run that died between its snapshots and its entry), snapshots taken before a roll-back or a
 * restore, half-exported table snapshots, temporary catalog files. The next backup removes them;
 * until then `list` and `status` say they are there, and how much they keep alive.
 */
import type { Catalog } from '../catalog/catalog.js';
import { snapshotPath } from '../hdfs/paths.js';
import type { Site } from '../sites/site.js';
import { kindOf } from './index.js';
import type { DatasetSpec } from './kind.js';

export interface Leftover {
  site: string;
  /** A snapshot's path (directories), a table snapshot's name, or a file's path. */
  path: string;
  what: 'snapshot' | 'file';
  /** What a directory's snapshot still references (its content summary), where it can be read. */
  bytes: number | null;
}

/**
 * Read-only: the service's left-overs on both sites. `known` are the stamps of the restore points the
 * catalogs hold (the secondary's, and the primary's own from a time it was the secondary).
 */
export async function leftoversOf(
  sites: { primary: Site | undefined; secondary: Site },
  service: string,
  specs: DatasetSpec[],
  catalogs: { site: Site; catalog: Catalog }[],
): Promise<Leftover[]> {
  const known = new Set(catalogs.flatMap(({ catalog: c }) => [...c.points.map((p) => p.stamp), ...c.unreadable.map((u) => u.stamp)]));
  const out: Leftover[] = [];
  for (const spec of specs) {
    const kind = kindOf(spec.type);
    for (const [site, side] of [
      [sites.primary, 'source'],
      [sites.secondary, 'target'],
    ] as const) {
      if (!site) continue;
      for (const own of await kind.snapshots(site, spec, side, service)) {
        if (!own.partial && !own.leftover && known.has(own.stamp)) continue;
        const dir = spec.type === 'hdfs';
        const path = dir ? snapshotPath(spec[side], own.name) : own.name;
        const bytes = dir ? (await site.hdfs.contentSummary(path)).length : null;
        out.push({ site: site.name, path, what: 'snapshot', bytes });
      }
    }
  }
  for (const { site, catalog } of catalogs)
    for (const f of catalog.temporary) out.push({ site: site.name, path: f, what: 'file', bytes: null });
  return out;
}
