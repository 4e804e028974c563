/**
 * Verification that follows the change: after an incremental copy, only what the source's snapshot
 * diff touched is compared (each entry's type and size, and with checksums its checksum, on both
 * sides), and the restore point's digest is the previous one
 * with the touched entries' old lines taken out and their new lines put in (digest.ts sums entries,
 * so this is exact). The content summaries of both snapshots keep guarding the totals, and the
 * digest's entry count must match them; anything that does not add up is left to the full walk.
 */
import { eachLimited } from '../../core/limit.js';
import { WebHdfsError } from '../../errors.js';
import { snapshotPath } from '../../hdfs/paths.js';
import type { DiffEntry, FileStatus } from '../../hdfs/requests.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import { checksumText, type DigestEntry, TreeDigest } from './digest.js';
import type { TreeRecord, VerifyResult } from './verify.js';

const CONCURRENCY = 8;

/** A path and, when `deep` and a directory, everything below it, as it stands in a snapshot (nothing when absent). */
async function subtree(hdfs: WebHdfs, root: string, rel: string, deep: boolean): Promise<{ rel: string; status: FileStatus }[]> {
  const status = await hdfs.getFileStatus(`${root}/${rel}`);
  if (!status) return [];
  const out = [{ rel, status }];
  if (deep && status.type === 'DIRECTORY')
    for await (const e of hdfs.walk(`${root}/${rel}`)) out.push({ rel: `${rel}/${e.rel}`, status: e.status });
  return out;
}

/**
 * The paths a diff touched, as they were (in `from`) and as they are (in `to`); each with whether
 * what is below it counts too (created, deleted, renamed) or only itself (modified: a directory's
 * children that changed are entries of the diff of their own).
 */
export function touchedPaths(diff: DiffEntry[]): { before: Map<string, boolean>; after: Map<string, boolean> } {
  const before = new Map<string, boolean>();
  const after = new Map<string, boolean>();
  const mark = (m: Map<string, boolean>, p: string, deep: boolean) => m.set(p, deep || (m.get(p) ?? false));
  for (const e of diff) {
    const p = e.sourcePath;
    if (!p || p === '.') continue; // the root itself is no entry of the digest
    if (e.type === 'CREATE') mark(after, p, true);
    else if (e.type === 'DELETE') mark(before, p, true);
    else if (e.type === 'RENAME') {
      mark(before, p, true);
      if (e.targetPath) mark(after, e.targetPath, true);
    } else {
      mark(before, p, false);
      mark(after, p, false);
    }
  }
  return { before, after };
}

/**
 * Verify an incremental copy by its diff. Undefined when it cannot be done exactly (no digest with
 * checksums before, totals that differ): the caller walks everything then.
 */
export async function verifyChanged(
  src: WebHdfs,
  srcDir: string,
  dst: WebHdfs,
  dstDir: string,
  previous: string,
  snapshot: string,
  before: TreeRecord | undefined,
  checksums: boolean,
  diff?: DiffEntry[],
): Promise<VerifyResult | undefined> {
  // The previous digest must have been computed as this one is: with checksums, or without.
  if (!before || before.checksums !== checksums) return undefined;
  const [a, b] = await Promise.all([
    src.contentSummary(snapshotPath(srcDir, snapshot)),
    dst.contentSummary(snapshotPath(dstDir, snapshot)),
  ]);
  const totals = (['fileCount', 'directoryCount', 'length'] as const).filter((k) => a[k] !== b[k]);
  if (totals.length) return undefined;
  // The diff the copy followed, when it has one: the NameNode walks the whole tree for each diff.
  const touched = touchedPaths(diff ?? (await src.snapshotDiff(srcDir, previous, snapshot)));
  const problems: string[] = [];
  const old = new TreeDigest();
  const now = new TreeDigest();
  let filesChecksummed = 0;
  const line = async (hdfs: WebHdfs, root: string, rel: string, s: FileStatus): Promise<DigestEntry> => {
    if (!checksums || s.type !== 'FILE' || s.length === 0) return { rel, type: s.type, length: s.length };
    return { rel, type: 'FILE', length: s.length, checksum: checksumText(await hdfs.fileChecksum(`${root}/${rel}`)) };
  };
  const oldRoot = snapshotPath(dstDir, previous);
  const olds = (await Promise.all([...touched.before].map(([p, deep]) => subtree(dst, oldRoot, p, deep)))).flat();
  await eachLimited(dedupe(olds), CONCURRENCY, async (e) => old.add(await line(dst, oldRoot, e.rel, e.status)));
  const [srcRoot, dstRoot] = [snapshotPath(srcDir, snapshot), snapshotPath(dstDir, snapshot)];
  const news = (await Promise.all([...touched.after].map(([p, deep]) => subtree(dst, dstRoot, p, deep)))).flat();
  await eachLimited(dedupe(news), CONCURRENCY, async (e) => {
    const mine = await line(dst, dstRoot, e.rel, e.status);
    now.add(mine);
    if (!mine.checksum) {
      const theirs = await src.getFileStatus(`${srcRoot}/${e.rel}`);
      if (!theirs) problems.push(`${e.rel}: on the target only`);
      else if (theirs.type !== e.status.type || theirs.length !== e.status.length)
        problems.push(
          `${e.rel}: ${theirs.type} of ${theirs.length} bytes on the source, ${e.status.type} of ${e.status.length} on the target`,
        );
      return;
    }
    const theirs = await sourceChecksum(src, `${srcRoot}/${e.rel}`);
    filesChecksummed++;
    if (theirs === undefined) problems.push(`${e.rel}: on the target only`);
    else if (typeof theirs === 'string') problems.push(`${e.rel}: the source's checksum could not be read: ${theirs}`);
    else if (checksumText(theirs) !== mine.checksum) problems.push(`${e.rel}: checksum differs`);
  });
  const entries = before.entries - old.entries + now.entries;
  // The digest's entries are everything below the root: the summaries' files and directories but the root.
  if (entries !== b.fileCount + b.directoryCount - 1) return undefined;
  const value = TreeDigest.combine(before.value, now.value, old.value);
  return {
    ok: problems.length === 0,
    files: a.fileCount,
    directories: a.directoryCount,
    bytes: a.length,
    filesChecksummed,
    problems,
    ...(problems.length === 0 ? { digest: { value, entries, checksums } } : {}),
  };
}

/**
 * A file's checksum in the source's snapshot: undefined when it is not there, the error's text when
 * the DataNodes could not compute it — asked three times, half a second apart: a block a writer is
 * appending to meanwhile (the snapshot holds its earlier length) can fail a first try.
 */
async function sourceChecksum(src: WebHdfs, path: string): Promise<Awaited<ReturnType<WebHdfs['fileChecksum']>> | string | undefined> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 500));
    try {
      return await src.fileChecksum(path);
    } catch (e) {
      if (e instanceof WebHdfsError && e.status === 404) return undefined;
      last = (e as Error).message;
    }
  }
  return last;
}

/** Each path once (a file under a directory the diff names twice). */
const dedupe = <T extends { rel: string }>(list: T[]): T[] => [...new Map(list.map((e) => [e.rel, e])).values()];
