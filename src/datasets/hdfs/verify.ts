/**
 * Verification of a copy: the source snapshot and the target snapshot must hold the same number of
 * files and directories and the same bytes; with checksums, every file's HDFS checksum must match
 * (the copy preserves block size and checksum type, so the two are computed alike).
 */

import { eachLimited } from '../../flow/limit.js';
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
  for (const key of ['fileCount', 'directoryCount', 'length'] as const) {
    if (a[key] !== b[key]) problems.push(`${key}: source ${a[key]}, target ${b[key]}`);
  }
  let filesChecksummed = 0;
  if (checksums && problems.length === 0) {
    const [left, right] = await Promise.all([
      src.listRecursive(snapshotPath(srcDir, snapshot)),
      dst.listRecursive(snapshotPath(dstDir, snapshot)),
    ]);
    const byRel = new Map(right.map((e) => [e.rel, e.status]));
    const toCompare: string[] = [];
    for (const { rel, status } of left) {
      const other = byRel.get(rel);
      if (!other) problems.push(`${rel}: missing on the target`);
      else if (other.type !== status.type || other.length !== status.length) {
        problems.push(`${rel}: ${status.type} of ${status.length} bytes on the source, ${other.type} of ${other.length} on the target`);
      } else if (status.type === 'FILE' && status.length > 0) toCompare.push(rel);
      // (An empty file has nothing to checksum; HDFS reports its checksum parameters as zeros.)
    }
    // Each checksum is computed by DataNodes: a few at a time, not one after another.
    await eachLimited(toCompare, CHECKSUM_CONCURRENCY, async (rel) => {
      const [x, y] = await Promise.all([
        src.fileChecksum(`${snapshotPath(srcDir, snapshot)}/${rel}`),
        dst.fileChecksum(`${snapshotPath(dstDir, snapshot)}/${rel}`),
      ]);
      filesChecksummed++;
      if (x.algorithm !== y.algorithm) problems.push(`${rel}: checksums not comparable (${x.algorithm} vs ${y.algorithm})`);
      else if (x.bytes !== y.bytes) problems.push(`${rel}: checksum differs`);
    });
    const leftRels = new Set(left.map((e) => e.rel));
    for (const e of right) if (!leftRels.has(e.rel)) problems.push(`${e.rel}: on the target only`);
  }
  return {
    ok: problems.length === 0,
    files: a.fileCount,
    directories: a.directoryCount,
    bytes: a.length,
    filesChecksummed,
    problems,
  };
}
