/**
 * ExportSnapshot (`hbase snapshot export`): its command line, and what it reports. Its exit code
 * alone proves nothing: the counters and its last line are read.
 */
import { jobCounter } from '../yarn/jobs.js';

export interface ExportOptions {
  snapshot: string;
  /** The secondary's hbase.rootdir (full URI). */
  copyTo: string;
  /** When the secondary pulls: the primary's hbase.rootdir (full URI). */
  copyFrom?: string | undefined;
  mappers: number;
  bandwidthMBps?: number | undefined;
  /** Owner and group the exported files get (the secondary's HBase user). */
  owner?: string | undefined;
  group?: string | undefined;
}

export function exportArgs(o: ExportOptions): string[] {
  const args = ['snapshot', 'export', '-snapshot', o.snapshot];
  if (o.copyFrom) args.push('-copy-from', o.copyFrom);
  args.push('-copy-to', o.copyTo, '-mappers', String(o.mappers));
  if (o.bandwidthMBps !== undefined) args.push('-bandwidth', String(Math.max(1, Math.round(o.bandwidthMBps))));
  if (o.owner) args.push('-chuser', o.owner);
  if (o.group) args.push('-chgroup', o.group);
  return args;
}

export interface ExportCounters {
  filesCopied: number;
  filesSkipped: number;
  bytesCopied: number;
  bytesSkipped: number;
  missingFiles: number;
  copyFailed: number;
}

/** The counters of its MapReduce job (absent when there was nothing to copy: all 0). */
export function parseExportCounters(log: string): ExportCounters {
  const read = (name: string) => jobCounter(log, name);
  return {
    filesCopied: read('FILES_COPIED'),
    filesSkipped: read('FILES_SKIPPED'),
    bytesCopied: read('BYTES_COPIED'),
    bytesSkipped: read('BYTES_SKIPPED'),
    missingFiles: read('MISSING_FILES'),
    copyFailed: read('COPY_FAILED'),
  };
}

/** Why an export did not complete, from what it printed; undefined when it did. */
export function exportProblem(log: string, snapshot: string): string | undefined {
  const c = parseExportCounters(log);
  if (c.missingFiles) return `${c.missingFiles} file(s) of the snapshot were missing on the primary`;
  if (c.copyFailed) return `${c.copyFailed} file(s) failed to copy`;
  if (!log.includes(`Export Completed: ${snapshot}`)) {
    const error = log.split('\n').find((l) => /\bERROR\b|Exception:/.test(l));
    return `ExportSnapshot did not say "Export Completed: ${snapshot}"${error ? ` (${error.trim()})` : ''}`;
  }
  return undefined;
}

/** What to say of an export that exited non-zero: why, when its output names a cause worth acting on. */
export function exportFailureHint(stderr: string): string {
  const oom = /java\.lang\.OutOfMemoryError: ([^\n]+)/.exec(stderr);
  if (oom)
    return `ExportSnapshot ran out of memory (${oom[1]!.trim()}): give the hbase tool more heap (HBASE_HEAPSIZE in tools.env), fewer copy.mappers, or a YARN to run on; the previous restore point is intact`;
  return 'see the ExportSnapshot log; the previous restore point is intact';
}
