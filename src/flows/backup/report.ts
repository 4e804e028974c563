/**
 * What a backup run says when it ends: built from the plan and from what really happened. A dry
 * run's report is the plan (`result: "planned"`, no restore point, `planned`: every change once).
 */
import type { CopyMode } from '../../catalog/catalog.js';
import type { Outcome } from '../../core/outcome.js';
import type { CopiedBy, DatasetType } from '../../datasets/kind.js';
import { type Output, outcomeWord } from '../../output.js';
import type { planView } from './plan.js';

export interface DatasetReport {
  type: DatasetType;
  source: string;
  target: string;
  mode: CopyMode;
  reason: string;
  /** What moved a directory's bytes: hbackup through WebHDFS, or DistCp (and why not directly). */
  copiedBy?: CopiedBy;
  directRefused?: string;
  fallbackReason?: string;
  /** Files changed on the secondary since the previous restore point that this backup rolled back. */
  rolledBack?: string[];
  /** DistCp jobs an interrupted run left writing into the target, stopped before the copy. */
  stoppedJobs?: string[];
  /** When its snapshot was asked for and when it existed (set once the snapshots were taken). */
  snapshotRequestedAt?: string;
  snapshotCompletedAt?: string;
  /** Set once the copy ran. */
  bytesCopied?: number;
  filesCopied?: number;
  /** Found on the secondary already and left alone (HBase exports). */
  bytesSkipped?: number;
  filesSkipped?: number;
  /** Set once the copy was verified. */
  /** How long the copy took (a roll-back included), and below how long its verification took. */
  copyMs?: number;
  /** Statements run on the secondary's metastore (a Hive table). */
  statements?: number;
  verified?: { files: number; bytes: number; checksums: boolean; checksumsSkipped?: string; partitions?: number; ms: number };
}

export interface BackupReport {
  service: string;
  /** The policy's schedule (cron, UTC), if any: the metrics carry its interval. */
  schedule?: string;
  moment: string | null;
  result: Outcome;
  restorePoint: string | null;
  consistencyWindowMs: number | null;
  /** How often the moment was taken: more than once when what it captured moved meanwhile (a Hive DDL). */
  captures?: number;
  durationMs: number;
  /**
   * Where a run's time went, in order (set as each phase ends): preflight and plan, the clean-up of
   * an interrupted run, the snapshots at the moment (hooks and the HBase shell's start included),
   * every data set's copy and verification side by side, the catalog entry, retention.
   */
  phasesMs?: {
    plan: number;
    cleanup?: number;
    /** Setting replication up: before the snapshots and after the catalog entry, together. */
    replication?: number;
    snapshots?: number;
    copies?: number;
    catalog?: number;
    retention?: number;
  };
  dryRun: boolean;
  datasets: DatasetReport[];
  retention?: { restorePointsDeleted: string[]; snapshotsDeleted: number };
  /** The service's HBase replication: its peer, tables, those set up by this run and why. */
  replication?: { peer: string; tables: string[]; bootstrapped: string[]; reason: string };
  /** Under --dry-run: every change the run would make, in order, each once (site "local": this host); the whole plan. */
  planned?: { step: string; site: string; change: string }[];
  plan?: ReturnType<typeof planView>;
  error?: string;
}

/** How a report line says what copied a directory. */
export const copiedByText = (r: Pick<DatasetReport, 'copiedBy' | 'directRefused'>): string =>
  r.copiedBy === 'webhdfs'
    ? ' through WebHDFS'
    : r.copiedBy === 'distcp'
      ? ` by DistCp${r.directRefused ? ` (${r.directRefused})` : ''}`
      : '';

/** How a report line says what verification compared beyond sizes. */
export const checksumsText = (v: NonNullable<DatasetReport['verified']>): string =>
  v.checksums ? ', checksums' : v.checksumsSkipped ? `, checksums ${v.checksumsSkipped}` : '';

/** The line that ends a data set's copy step. */
export function copiedLine(source: string, r: DatasetReport): string {
  const v = r.verified!;
  if (r.type === 'hive') {
    return `${source}: ${r.mode}, ${r.statements ?? 0} statement(s) on the secondary's metastore; verified, ${v.partitions ?? 0} partition(s)`;
  }
  return (
    `${source}: ${r.mode}${r.fallbackReason ? ` (${r.fallbackReason})` : ''}, ${r.filesCopied} file(s), ${r.bytesCopied} bytes copied${copiedByText(r)}; ` +
    `verified ${v.files} files, ${v.bytes} bytes${checksumsText(v)}`
  );
}

export function printReport(out: Output, r: BackupReport): void {
  const head = outcomeWord(out, r.result);
  const what = r.dryRun ? 'dry run: nothing was changed' : r.restorePoint ? `restore point ${r.restorePoint}` : 'no new restore point';
  const window = r.consistencyWindowMs === null ? '' : `, window ${r.consistencyWindowMs} ms`;
  out.print(`${r.service}: ${head} — ${what} (${r.datasets.length} data set(s)${window}, ${(r.durationMs / 1000).toFixed(1)} s)`);
  for (const d of r.datasets) {
    const skipped = d.filesSkipped ? `, ${d.filesSkipped} file(s) already there` : '';
    const copied =
      d.bytesCopied === undefined
        ? d.reason
        : d.type === 'hive'
          ? `${d.statements ?? 0} statement(s) on the secondary's metastore, ${d.verified?.partitions ?? 0} partition(s)`
          : `${d.filesCopied} file(s), ${d.bytesCopied} bytes copied${skipped}${copiedByText(d)}`;
    out.print(`  ${d.source} → ${d.target}  ${d.mode}  ${copied}${d.fallbackReason ? `  (${d.fallbackReason})` : ''}`);
    if (d.verified?.checksumsSkipped) out.print(`    checksums ${d.verified.checksumsSkipped}: verified by paths, types and sizes`);
    if (d.stoppedJobs?.length) {
      out.print(`    stopped first (left writing into the target by an interrupted run): ${d.stoppedJobs.join(', ')}`);
    }
    if (d.rolledBack?.length) {
      out.print(
        `    rolled back on the secondary first (changed there since the previous restore point): ${d.rolledBack.slice(0, 10).join(', ')}`,
      );
      if (d.rolledBack.length > 10) out.print(`    … ${d.rolledBack.length - 10} more (--json lists them all)`);
    }
  }
  if (r.retention && (r.retention.snapshotsDeleted || r.retention.restorePointsDeleted.length)) {
    out.print(
      `  retention: ${r.retention.restorePointsDeleted.length} restore point(s), ${r.retention.snapshotsDeleted} snapshot(s) deleted`,
    );
  }
  if (r.planned) {
    out.print(r.planned.length ? '  would make these changes, in order:' : '  would change nothing');
    let step: string | undefined;
    for (const p of r.planned) {
      if (p.step !== step) out.print(`    ${p.step}`);
      step = p.step;
      out.print(`      ${p.change}`);
    }
  }
}
