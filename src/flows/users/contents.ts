/**
 * sync-users --contents: the files of the home directories, pushed by the primary's own DistCp
 * (`-update`, attributes preserved; `-delete` with --prune) into the same roots on the secondary,
 * one job per home root. A copy is planned only where the two trees differ — an entry missing on the
 * secondary, a file of another type, size or modification time (DistCp keeps the times, so a synced
 * file matches), and with --prune an entry only the secondary holds — so a second run does nothing.
 */

import { type Change, commandChange } from '../../core/change.js';
import { fsUri, mirrorArgs } from '../../distcp/distcp.js';
import { type Pair, pairTrees } from '../../hdfs/compare.js';
import type { Site } from '../../sites/site.js';
import { usersJob } from '../../yarn/jobs.js';

export interface ContentsPlan {
  /** One DistCp per home root whose trees differ. */
  changes: Change[];
  /** Entries the copies will bring or replace (and with --prune remove), per root. */
  differing: { root: string; entries: number; example?: string }[];
}

/** Does this pair make the two trees differ, for a mirror of the left on the right? */
export function differs(p: Pair, prune: boolean): boolean {
  if (!p.left) return prune;
  if (!p.right) return true;
  if (p.left.type !== p.right.type) return true;
  return p.left.type === 'FILE' && (p.left.length !== p.right.length || p.left.modificationTime !== p.right.modificationTime);
}

export async function planContents(
  primary: Site,
  secondary: Site,
  roots: string[],
  opts: { prune: boolean; stamp: string; mappers: number },
): Promise<ContentsPlan> {
  const plan: ContentsPlan = { changes: [], differing: [] };
  for (const root of roots) {
    if (!(await primary.hdfs.getFileStatus(root))) continue;
    const there = await secondary.hdfs.getFileStatus(root);
    let entries = 0;
    let example: string | undefined;
    if (!there) for await (const _ of primary.hdfs.walk(root)) entries++;
    else
      for await (const pair of pairTrees(primary.hdfs, root, secondary.hdfs, root)) {
        if (!differs(pair, opts.prune)) continue;
        entries++;
        example ??= `${root}/${pair.rel}`;
      }
    if (!entries) continue;
    plan.differing.push({ root, entries, ...(example ? { example } : {}) });
    const job = usersJob(opts.stamp, secondary.name, root, primary.cluster.yarn?.queue);
    const args = mirrorArgs(fsUri(primary.cluster.fs, root), fsUri(secondary.cluster.fs, root), opts.prune, {
      mappers: opts.mappers,
      job,
    });
    plan.changes.push(commandChange(primary.name, primary.tool('hadoop', args)));
  }
  return plan;
}
