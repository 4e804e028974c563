/**
 * Verification of a copy: the source snapshot and the target snapshot must hold the same number of
 * files and directories and the same bytes, and the same paths, each of the same type and size; with
 * checksums, every file's HDFS checksum must match (the copy preserves block size and checksum type,
 * so the two are computed alike). Both trees are streamed side by side: a data set of any number of
 * files is verified in flat memory. What the copy holds is summed up in a digest (digest.ts) the
 * catalog keeps, for drills to check a restore against.
 */

import { difference, pairTrees } from '../../hdfs/compare.js';
import { snapshotPath } from '../../hdfs/paths.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import { checksumText, TreeDigest } from './digest.js';

/** What a restore point's directory held, as the catalog keeps it. */
export interface TreeRecord {
  /** TreeDigest's value over paths, types, sizes and, with `checksums`, each file's checksum. */
  value: string;
  entries: number;
  checksums: boolean;
}

export interface VerifyResult {
  ok: boolean;
  files: number;
  directories: number;
  bytes: number;
  filesChecksummed: number;
  problems: string[];
  /** Set when the trees were compared entry by entry (the counts agreed). */
  digest?: TreeRecord;
}

const CHECKSUM_CONCURRENCY = 8;
const MAX_PROBLEMS = 100;

export async function verifyCopy(
  src: WebHdfs,
  srcDir: string,
  dst: WebHdfs,
  dstDir: string,
  snapshot: string,
  checksums: boolean,
): Promise<VerifyResult> {
  const [a, b] = await Promise.all([
    src.contentSummary(snapshotPath(srcDir, snapshot)),
    dst.contentSummary(snapshotPath(dstDir, snapshot)),
  ]);
  const problems: string[] = [];
  let unsaid = 0;
  /** At most MAX_PROBLEMS are kept: a copy gone wholly wrong must not fill memory with its complaints. */
  const note = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
    else unsaid++;
  };
  for (const key of ['fileCount', 'directoryCount', 'length'] as const) {
    if (a[key] !== b[key]) problems.push(`${key}: source ${a[key]}, target ${b[key]}`);
  }
  let filesChecksummed = 0;
  const digest = new TreeDigest();
  if (problems.length === 0) {
    // Both trees are walked side by side a page at a time, and each checksum asked for as its file
    // comes by (computed by DataNodes: a few at a time): memory stays flat however many files there are.
    const pending = new Set<Promise<void>>();
    const checksum = async (rel: string, length: number) => {
      const [x, y] = await Promise.all([
        src.fileChecksum(`${snapshotPath(srcDir, snapshot)}/${rel}`),
        dst.fileChecksum(`${snapshotPath(dstDir, snapshot)}/${rel}`),
      ]);
      filesChecksummed++;
      if (x.algorithm !== y.algorithm) note(`${rel}: checksums not comparable (${x.algorithm} vs ${y.algorithm})`);
      else if (x.bytes !== y.bytes) note(`${rel}: checksum differs`);
      digest.add({ rel, type: 'FILE', length, checksum: checksumText(y) });
    };
    for await (const pair of pairTrees(src, snapshotPath(srcDir, snapshot), dst, snapshotPath(dstDir, snapshot))) {
      const differs = difference(pair, 'source', 'target');
      if (differs) note(differs);
      // (An empty file has nothing to checksum; HDFS reports its checksum parameters as zeros.)
      else if (checksums && pair.left?.type === 'FILE' && pair.left.length > 0) {
        const task: Promise<void> = checksum(pair.rel, pair.left.length).finally(() => pending.delete(task));
        pending.add(task);
        if (pending.size >= CHECKSUM_CONCURRENCY) await Promise.race(pending);
      } else digest.add({ rel: pair.rel, type: pair.right!.type, length: pair.right!.length });
    }
    await Promise.all(pending);
  }
  if (unsaid) problems.push(`… and ${unsaid} more`);
  return {
    ok: problems.length === 0,
    files: a.fileCount,
    directories: a.directoryCount,
    bytes: a.length,
    filesChecksummed,
    problems,
    ...(problems.length === 0 ? { digest: { value: digest.value, entries: digest.entries, checksums } } : {}),
  };
}
