/**
 * Planning sync-users, read-only: the places whose user data the secondary must mirror — each home
 * directory under the configured roots (and what it holds), the extra paths of the clusters file,
 * the root of every HDFS data set of the given policies — and, for each, the WebHDFS calls that
 * make the secondary's attributes, ACLs and quotas the primary's. Home directories only the
 * secondary has are removed only with --prune.
 */
import type { ClustersFile } from '../../config/schema.js';
import { type Change, httpChange } from '../../core/change.js';
import { type Attributes, attributeChanges, attributesOf, quotaChanges, usersOf } from '../../hdfs/attributes.js';
import { pairTrees } from '../../hdfs/compare.js';
import { type FileStatus, ops } from '../../hdfs/requests.js';
import type { Site } from '../../sites/site.js';

/** One directory mirrored: where it is on each side, and whether what it holds is mirrored too. */
export interface Place {
  kind: 'home root' | 'home' | 'path' | 'data set';
  primary: string;
  secondary: string;
  tree: boolean;
}

export interface UsersPlan {
  places: Place[];
  /** In order: creations first, then changes, then (with --prune) removals. */
  changes: Change[];
  created: string[];
  changed: string[];
  removed: string[];
  /** Users the changes name, to be checked on the secondary. */
  users: string[];
  warnings: string[];
}

/** The places of a clusters file's `users` and of data sets (source on the primary, target on the secondary). */
export async function placesOf(
  primary: Site,
  users: ClustersFile['users'],
  datasets: { source: string; target: string }[],
): Promise<{ places: Place[]; homeRoots: string[] }> {
  const places: Place[] = [];
  for (const root of users.homes) {
    places.push({ kind: 'home root', primary: root, secondary: root, tree: false });
    if (!(await primary.hdfs.getFileStatus(root))) continue;
    for await (const page of primary.hdfs.listPages(root)) {
      for (const st of page) {
        if (st.type === 'DIRECTORY')
          places.push({ kind: 'home', primary: `${root}/${st.pathSuffix}`, secondary: `${root}/${st.pathSuffix}`, tree: true });
      }
    }
  }
  for (const p of users.paths) places.push({ kind: 'path', primary: p, secondary: p, tree: true });
  for (const d of datasets) places.push({ kind: 'data set', primary: d.source, secondary: d.target, tree: false });
  return { places, homeRoots: users.homes };
}

async function attributesAt(site: Site, path: string, st: FileStatus): Promise<Attributes> {
  return attributesOf(st, st.aclBit ? await site.hdfs.aclStatus(path) : undefined);
}

export async function planUsers(
  primary: Site,
  secondary: Site,
  found: { places: Place[]; homeRoots: string[] },
  opts: { prune: boolean },
): Promise<UsersPlan> {
  const plan: UsersPlan = { places: found.places, changes: [], created: [], changed: [], removed: [], users: [], warnings: [] };
  const users = new Set<string>();
  const creations: Change[] = [];
  const changes: Change[] = [];
  const mirror = async (path: string, a: FileStatus, b: FileStatus | undefined, aPath: string) => {
    const want = await attributesAt(primary, aPath, a);
    const have = b ? await attributesAt(secondary, path, b) : undefined;
    const requests = attributeChanges(path, want, have);
    if (requests.length) {
      for (const u of usersOf(want)) users.add(u);
      if (b) plan.changed.push(path);
      (b ? changes : creations).push(...requests.map((r) => httpChange(secondary, r)));
    }
  };
  for (const place of found.places) {
    const a = await primary.hdfs.getFileStatus(place.primary);
    if (!a) {
      if (place.kind !== 'home root') plan.warnings.push(`${place.primary} (${place.kind}) does not exist on ${primary.name}: left out`);
      continue;
    }
    const b = await secondary.hdfs.getFileStatus(place.secondary);
    if (!b && place.kind === 'data set') {
      plan.warnings.push(`${place.secondary} has no copy on ${secondary.name} yet (back the service up first): left out`);
      continue;
    }
    if (!b) {
      creations.push(httpChange(secondary, ops.mkdirs(place.secondary)));
      plan.created.push(place.secondary);
    }
    await mirror(place.secondary, a, b, place.primary);
    if (a.type === 'DIRECTORY') {
      const [qa, qb] = await Promise.all([
        primary.hdfs.quotaUsage(place.primary),
        b ? secondary.hdfs.quotaUsage(place.secondary) : undefined,
      ]);
      const quota = quotaChanges(place.secondary, qa, qb);
      if (quota.length && b && !plan.changed.includes(place.secondary)) plan.changed.push(place.secondary);
      (b ? changes : creations).push(...quota.map((r) => httpChange(secondary, r)));
    }
    // What a directory holds: attributes of what both sides have (files are copied by backups, or --contents).
    if (place.tree && b) {
      for await (const pair of pairTrees(primary.hdfs, place.primary, secondary.hdfs, place.secondary)) {
        if (pair.left && pair.right) await mirror(`${place.secondary}/${pair.rel}`, pair.left, pair.right, `${place.primary}/${pair.rel}`);
      }
    }
  }
  const removals: Change[] = [];
  const homes = new Set(found.places.filter((p) => p.kind === 'home').map((p) => p.secondary));
  for (const root of found.homeRoots) {
    if (!(await secondary.hdfs.getFileStatus(root))) continue;
    for await (const page of secondary.hdfs.listPages(root)) {
      for (const st of page) {
        const path = `${root}/${st.pathSuffix}`;
        if (st.type !== 'DIRECTORY' || homes.has(path)) continue;
        if (opts.prune) {
          removals.push(httpChange(secondary, ops.delete(path, true)));
          plan.removed.push(path);
        } else plan.warnings.push(`${path} exists on ${secondary.name} only: kept (--prune removes it)`);
      }
    }
  }
  plan.changes = [...creations, ...changes, ...removals];
  plan.users = [...users].sort();
  return plan;
}
