/**
 * DistCp: building its command lines (pure) and reading what it reports.
 */
import { type JobLabel, jobArgs, jobCounter } from '../yarn/jobs.js';

export interface DistCpTuning {
  mappers: number;
  bandwidthMBps?: number | undefined;
  /** The YARN job's name, tags and queue. */
  job?: JobLabel | undefined;
  /** No checksum check after each file (`-skipcrccheck`): an encryption zone on either side. */
  skipCrc?: boolean;
}

/** Preserve replication? No: the secondary keeps its own. Block size and checksum type, so checksums compare
 * like with like; user, group, permission, ACLs, xattrs and times, so applications find what they left. */
export const PRESERVE = '-pbcugpaxt';

function tuning(t: DistCpTuning): string[] {
  const args = ['-m', String(t.mappers)];
  if (t.bandwidthMBps !== undefined) args.push('-bandwidth', String(t.bandwidthMBps));
  if (t.skipCrc) args.push('-skipcrccheck');
  return args;
}

/** A full copy of a snapshot: `-update -delete` so a re-run converges on the snapshot exactly. */
export function fullCopyArgs(sourceSnapshotUri: string, targetUri: string, t: DistCpTuning): string[] {
  return ['distcp', ...jobArgs(t.job), '-update', '-delete', PRESERVE, ...tuning(t), sourceSnapshotUri, targetUri];
}

/** A live directory made equal to the source's, attributes and all: with `remove`, also what only the target holds goes. */
export function mirrorArgs(sourceUri: string, targetUri: string, remove: boolean, t: DistCpTuning): string[] {
  return ['distcp', ...jobArgs(t.job), '-update', ...(remove ? ['-delete'] : []), PRESERVE, ...tuning(t), sourceUri, targetUri];
}

/** An incremental copy: apply the source's snapshot diff `from`→`to` to a target that still equals `from`. */
export function diffCopyArgs(sourceDirUri: string, targetUri: string, from: string, to: string, t: DistCpTuning): string[] {
  return ['distcp', ...jobArgs(t.job), '-update', '-diff', from, to, PRESERVE, ...tuning(t), sourceDirUri, targetUri];
}

/**
 * Roll a directory back to its snapshot `old` (HDFS-9820): `now` is a snapshot of its present state;
 * what changed between them is undone, and only modified files are copied back from `old`.
 */
export function rdiffArgs(dirUri: string, now: string, old: string, t: DistCpTuning): string[] {
  return ['distcp', ...jobArgs(t.job), '-update', '-rdiff', now, old, PRESERVE, ...tuning(t), dirUri, dirUri];
}

/** How much of DistCp's output is kept: it logs a line per file; its counters and errors come last. */
export const DISTCP_TAIL = 1024 * 1024;

export interface DistCpCounters {
  bytesCopied: number;
  filesCopied: number;
  bytesSkipped: number;
  filesSkipped: number;
}

/** DistCp's counters from its log (the job prints them when it ends); absent counters are 0. */
export function parseCounters(log: string): DistCpCounters {
  const read = (name: string) => jobCounter(log, name);
  return {
    bytesCopied: read('Bytes Copied'),
    filesCopied: read('Files Copied'),
    bytesSkipped: read('Bytes Skipped'),
    filesSkipped: read('Files Skipped'),
  };
}

/** Did DistCp refuse `-diff` because the target changed since the `from` snapshot (or lacks it)? */
export function diffRefusal(log: string): string | undefined {
  const patterns = [
    /The target has been modified since snapshot \S+/,
    /Cannot find the snapshot of the target[^\n]*/,
    /The source path .* is not a snapshottable directory/,
  ];
  for (const p of patterns) {
    const m = log.match(p);
    if (m) return m[0];
  }
  return undefined;
}

/**
 * The file a line of DistCp's log says could not be read: a block whose data no longer matches its
 * checksums (`Checksum CRC32C not matched for file /p at position 0`) or that no DataNode can serve
 * (`Could not obtain block: … file=/p`). Undefined for any other line.
 */
export function unreadableFile(line: string): string | undefined {
  return (
    /Checksum \S+ not matched for file (.+?) at position \d+/.exec(line)?.[1] ??
    /Could not obtain block: \S+ file=(.+?)(?: No live nodes.*)?$/.exec(line)?.[1]
  );
}

/** A full HDFS URI for a path on a filesystem (`hdfs://nn:8020` + `/a b` → `hdfs://nn:8020/a b`). */
export function fsUri(fs: string, p: string): string {
  return `${fs.replace(/\/+$/, '')}${p}`;
}
