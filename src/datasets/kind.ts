/**
 * What a flow needs of a data set, whatever component holds it: check it, decide how to copy it,
 * snapshot it, copy it, verify it, find and delete its own snapshots, describe it in the catalog.
 * HDFS directories are one kind (datasets/hdfs/); each further kind is one more implementation
 * of this interface and one more entry in datasets/index.ts — the flows do not change.
 */
import type { CopyMode, DatasetRecord } from '../catalog/catalog.js';
import type { Dataset } from '../config/schema.js';
import type { Change } from '../core/change.js';
import type { BackupContext, FlowContext } from '../core/context.js';
import type { DiffEntry } from '../hdfs/requests.js';
import type { Site } from '../sites/site.js';
import type { TreeRecord } from './hdfs/verify.js';

export type CopiedBy = 'webhdfs' | 'distcp';

export type { BackupContext, FlowContext };

export type DatasetType = DatasetRecord['type'];

/** One data set of a policy, normalised: where it lives on the primary and on the secondary. */
export interface DatasetSpec {
  type: DatasetType;
  source: string;
  target: string;
}

/** One of this service's snapshots on one side; `partial`: a copy that never completed. */
export interface OwnSnapshot {
  name: string;
  stamp: string;
  /** Half made (a table's export that did not finish): never part of a restore point. */
  partial?: boolean;
  /** Taken before a roll-back or a restore: never part of a restore point. */
  leftover?: boolean;
}

/** Snapshots armed for the moment: `fire` takes them all at once; `close` ends what `arm` started. */
export interface Trigger {
  fire(): Promise<SnapshotTiming[]>;
  close(): Promise<void>;
}

/** What the plan knows of the secondary before any data set is planned. */
export interface PlanFacts {
  /** service → the targets it claims on the secondary. */
  claims: Map<string, string[]>;
  /** No restore point of this service exists yet. */
  firstBackup: boolean;
  /** Targets named in this service's restore points. */
  targetsInCatalog: Set<string>;
}

export interface DatasetPlan {
  spec: DatasetSpec;
  /** The snapshot name of this run for this data set. */
  snapshot: string;
  mode: CopyMode;
  /** Why this mode: the first backup, --full, a diff from the previous restore point, … */
  reason: string;
  /** Set when an incremental copy was expected but is not possible. */
  fallbackReason?: string;
}

export interface SnapshotTiming {
  /** When the snapshot was asked for and when it existed (ms since the epoch). */
  requestedAt: number;
  completedAt: number;
}

export interface CopyResult {
  mode: CopyMode;
  /** What moved the bytes of a directory: hbackup through WebHDFS (a small diff), or DistCp. */
  copiedBy?: CopiedBy;
  /** Why DistCp copied a diff and not hbackup directly. */
  directRefused?: string;
  fallbackReason?: string;
  /** What was changed on the target since the previous restore point and rolled back first. */
  rolledBack?: string[];
  /** YARN jobs an interrupted run left writing into the target, stopped first ("<app> on <site>"). */
  stoppedJobs?: string[];
  bytesCopied: number;
  filesCopied: number;
  /** What the copy found on the secondary already and left alone (ExportSnapshot). */
  bytesSkipped?: number;
  filesSkipped?: number;
  copyMs: number;
  /** The source's snapshot diff an incremental copy followed: verification follows it too (never reported). */
  sourceDiff?: DiffEntry[];
  /** Statements run on the secondary's metastore (a Hive table). */
  statements?: number;
  /** What the kind keeps in the catalog record beside the common fields (a Hive table's metadata). */
  record?: Record<string, unknown>;
}

export interface Verification {
  files: number;
  directories: number;
  bytes: number;
  checksums: boolean;
  /** Checksums were asked for and could not be compared: why. */
  checksumsSkipped?: string;
  filesChecksummed: number;
  /** What the copy holds, summed up (directories): kept in the catalog for drills. */
  digest?: TreeRecord;
  /** Which files were checksummed: every one, or those the diff touched (an incremental copy). */
  scope?: 'all' | 'changed';
  /** A Hive table: its partitions, as the metastore was seen to hold them. */
  partitions?: number;
}

/** Where a restore brings a data set back: on which side, and beside the live data (a suffix) or in place. */
export interface RestoreWhere {
  on: 'primary' | 'secondary';
  suffix: string | undefined;
}

/** One data set of a restore, planned: where from, where to, the changes in order, and why it cannot be done. */
export interface RestoreItem {
  record: DatasetRecord;
  /** The site the data comes back on. */
  site: string;
  from: string;
  to: string;
  inPlace: boolean;
  /** How, in a few words (e.g. "copy from the secondary's snapshot", "clone_snapshot"). */
  method: string;
  changes: Change[];
  /** What forbids it (nothing is changed then). */
  problems: string[];
}

export interface DatasetKind<P extends DatasetPlan = DatasetPlan, R extends RestoreItem = RestoreItem> {
  readonly type: DatasetType;
  /** Copied once every data set of other kinds is copied and verified (a Hive table's metadata, after its data). */
  readonly afterData?: boolean;
  /** The data set a policy entry names, or undefined when the entry is of another kind. */
  spec(entry: Dataset): DatasetSpec | undefined;
  /** Read-only, on the primary: the data sets an entry stands for when it names many (a Hive database.*). */
  expand?(primary: Site, spec: DatasetSpec): Promise<DatasetSpec[]>;
  /**
   * Read-only, on the primary: what keeps the data set from being backed up, said with the fix.
   * `deep` (validate --online): also what only a slower look finds (a Hive table read whole).
   */
  sourceProblem(primary: Site, spec: DatasetSpec, deep?: boolean): Promise<string | undefined>;
  /** Read-only, on the secondary: what keeps the targets from taking copies. */
  targetProblems(ctx: BackupContext, specs: DatasetSpec[], facts: PlanFacts): Promise<string[]>;
  /** Read-only: the copy mode and every change this data set's backup makes. */
  plan(ctx: BackupContext, spec: DatasetSpec, snapshot: string, previous: DatasetRecord | undefined, facts: PlanFacts): Promise<P>;
  /** The changes of the moment for all of this kind's data sets, as they are sent (one batch for a tool that takes many). */
  moment(plans: P[]): Change[];
  /**
   * Just before the snapshots (every kind armed, the writers paused): read again what must not move
   * while they are taken (a Hive table's metadata), the plan brought up to date; settle compares with it.
   */
  pin?(ctx: FlowContext, plans: P[]): Promise<void>;
  /**
   * After the snapshots: does what was captured still stand (a Hive table's metadata read again)?
   * Why not, or undefined; the moment is then taken again.
   */
  settle?(ctx: FlowContext, plans: P[]): Promise<string | undefined>;
  /** One data set's changes after the moment, in the order execute makes them. */
  changes(plan: P): { copy: Change[] };
  /**
   * Get ready to snapshot all of this kind's data sets (start what takes time now, before the
   * moment); the trigger then takes them at once, one timing per plan.
   */
  arm(ctx: FlowContext, plans: P[]): Promise<Trigger>;
  /** Copy one data set from its snapshot to the secondary and snapshot the copy. */
  copy(ctx: BackupContext, plan: P, update: (text: string) => void): Promise<CopyResult>;
  /** Compare the source snapshot with the copy; throws when they differ. */
  verify(ctx: FlowContext, plan: P, copied: CopyResult): Promise<Verification>;
  /** This service's snapshots of a data set, of its source (on the primary) or its copy (on the secondary). */
  snapshots(site: Site, spec: DatasetSpec, side: 'source' | 'target', service: string): Promise<OwnSnapshot[]>;
  /** The changes that delete some of them (batched where a tool takes many at once). */
  deleteSnapshots(site: Site, refs: { location: string; name: string; partial?: boolean }[]): Change[];
  /** What of a restore point's data set is gone from the secondary (for `list`). */
  missing(secondary: Site, record: DatasetRecord): Promise<string[]>;
  /** Read-only: how to bring a restore point's data set back. */
  planRestore(ctx: FlowContext, record: DatasetRecord, where: RestoreWhere): Promise<R>;
  /** Make the item's changes, in order (a kind may fall back to another way when one is refused). */
  restore(ctx: FlowContext, item: R): Promise<void>;
  /** Compare what was brought back with the restore point; throws when they differ. */
  verifyRestore(ctx: FlowContext, item: R): Promise<Verification>;
}
