/**
 * Verification of a copy: the source snapshot and the target snapshot must hold the same number of
 * files and directories and the same bytes; with checksums, every file's HDFS checksum must match
 * (the copy preserves block size and checksum type, so the two are computed alike). Both trees are
 * streamed side by side: a data set of any number of files is verified in flat memory.
 */

import { difference, pairTrees } from '../../hdfs/compare.js';
import { snapshotPath } from '../../hdfs/paths.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';

export interface VerifyResult {
  ok: boolean;
  files: number;
  directories: number;
  bytes: number;
  filesChecksummed: number;
  problems: string[];
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
  if (checksums && problems.length === 0) {
    // Both trees are walked side by side a page at a time, and each checksum asked for as its file
    // comes by (computed by DataNodes: a few at a time): memory stays flat however many files there are.
    const pending = new Set<Promise<void>>();
    const checksum = async (rel: string) => {
      const [x, y] = await Promise.all([
        src.fileChecksum(`${snapshotPath(srcDir, snapshot)}/${rel}`),
        dst.fileChecksum(`${snapshotPath(dstDir, snapshot)}/${rel}`),
      ]);
      filesChecksummed++;
      if (x.algorithm !== y.algorithm) note(`${rel}: checksums not comparable (${x.algorithm} vs ${y.algorithm})`);
      else if (x.bytes !== y.bytes) note(`${rel}: checksum differs`);
    };
    for await (const pair of pairTrees(src, snapshotPath(srcDir, snapshot), dst, snapshotPath(dstDir, snapshot))) {
      const differs = difference(pair, 'source', 'target');
      if (differs) note(differs);
      // (An empty file has nothing to checksum; HDFS reports its checksum parameters as zeros.)
      else if (pair.left?.type === 'FILE' && pair.left.length > 0) {
        const task: Promise<void> = checksum(pair.rel).finally(() => pending.delete(task));
        pending.add(task);
        if (pending.size >= CHECKSUM_CONCURRENCY) await Promise.race(pending);
      }
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
  };
}
