/**
 * How a drill judges what it restored. A directory: every path, type and size against the restore
 * point's snapshot, every file's checksum against the snapshot's, and the digest of it all against
 * the one the backup recorded (datasets/hdfs/digest.ts) — which also catches a snapshot whose data
 * changed on the secondary since. A table: its store files against the snapshot (the restore's own
 * verification), then a full scan that reads every row and cell.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { checksumText, TreeDigest } from '../../datasets/hdfs/digest.js';
import { difference, pairTrees } from '../../hdfs/compare.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';

const CONCURRENCY = 8;
const MAX_PROBLEMS = 20;

export interface DirectoryCheck {
  files: number;
  bytes: number;
  checked: string[];
  problems: string[];
}

/** Compare the scratch copy with the snapshot it came from and with what the backup recorded. */
export async function checkDirectory(
  hdfs: WebHdfs,
  snapshotDir: string,
  scratch: string,
  recorded: DatasetRecord['verification']['digest'],
): Promise<DirectoryCheck> {
  const problems: string[] = [];
  const note = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const withSums = new TreeDigest();
  const sizesOnly = new TreeDigest();
  let files = 0;
  let bytes = 0;
  let checksummed = 0;
  const pending = new Set<Promise<void>>();
  const checksum = async (rel: string, length: number) => {
    const [a, b] = await Promise.all([hdfs.fileChecksum(`${snapshotDir}/${rel}`), hdfs.fileChecksum(`${scratch}/${rel}`)]);
    checksummed++;
    if (a.algorithm !== b.algorithm || a.bytes !== b.bytes) note(`${rel}: checksum of the restored file differs from the restore point's`);
    withSums.add({ rel, type: 'FILE', length, checksum: checksumText(a) });
  };
  for await (const pair of pairTrees(hdfs, snapshotDir, hdfs, scratch)) {
    const differs = difference(pair, 'restore point', 'restored copy');
    if (differs) {
      note(differs);
      continue;
    }
    const { type, length } = pair.left!;
    sizesOnly.add({ rel: pair.rel, type, length });
    if (type !== 'FILE') {
      withSums.add({ rel: pair.rel, type, length });
      continue;
    }
    files++;
    bytes += length;
    if (length === 0) {
      withSums.add({ rel: pair.rel, type, length });
      continue;
    }
    const task: Promise<void> = checksum(pair.rel, length).finally(() => pending.delete(task));
    pending.add(task);
    if (pending.size >= CONCURRENCY) await Promise.race(pending);
  }
  await Promise.all(pending);
  const checked = [`every path and size against the snapshot`, `${checksummed} file checksum(s) against the snapshot`];
  if (!recorded) checked.push('no digest recorded by the backup (a restore point written before digests)');
  else {
    const now = recorded.checksums ? withSums : sizesOnly;
    const what = `digest of ${recorded.entries} entries${recorded.checksums ? ' with checksums' : ' (paths and sizes)'}`;
    checked.push(`${what} recorded by the backup`);
    if (!problems.length && (now.value !== recorded.value || now.entries !== recorded.entries)) {
      problems.push(
        `the restore point no longer holds what its backup recorded: ${what} differs (${now.entries} entries now); its snapshot changed on the secondary since`,
      );
    }
  }
  return { files, bytes, checked, problems };
}
