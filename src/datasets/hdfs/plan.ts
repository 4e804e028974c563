/**
 * Planning the backup of one HDFS directory, read-only: is an incremental copy possible (both
 * sides still hold the previous restore point's snapshot and the target has not changed since),
 * and which calls and commands will the backup make.
 */

import type { DatasetRecord } from '../../catalog/catalog.js';
import { claimWrites } from '../../catalog/claims.js';
import { type Change, commandChange, httpChange } from '../../core/change.js';
import { type DistCpTuning, diffCopyArgs, fsUri, fullCopyArgs, rdiffArgs } from '../../distcp/distcp.js';
import { snapshotPath } from '../../hdfs/paths.js';
import { type DiffEntry, ops } from '../../hdfs/requests.js';
import { beforeRollbackName, stampOfSnapshot } from '../../names/names.js';
import type { Site } from '../../sites/site.js';
import { copyJob } from '../../yarn/jobs.js';
import type { BackupContext, DatasetPlan, DatasetSpec, FlowContext, PlanFacts } from '../kind.js';
import { type DirectDecision, planDirect } from './direct.js';
import { findOrphans, type Orphan } from './jobs.js';
import type { TreeRecord } from './verify.js';
import { type Zones, zonesOf } from './zones.js';

export interface HdfsPlan extends DatasetPlan {
  /** The snapshot both sides share, for an incremental copy. */
  previousSnapshot?: string;
  /** What the previous restore point held (its digest): an incremental copy's verification follows the change from it. */
  previousDigest?: TreeRecord;
  checksums: boolean;
  /** Checksum every file, not only what the diff touched. */
  allChecksums: boolean;
  /** CREATESNAPSHOT of the source at the moment. */
  snapshotChange: Change;
  /** Before the first copy into a target: claim it, create it, allow its snapshots. */
  prepare: Change[];
  /** The DistCp command: the diff for an incremental copy, else the full copy. */
  copyCommand: Change;
  /** The full copy, also what follows when DistCp refuses the diff. */
  fullCopy: Change;
  /** CREATESNAPSHOT of the target once the copy is done. */
  targetSnapshotChange: Change;
  /**
   * The target changed since the previous restore point: it is rolled back to it first (a snapshot
   * of its state, `distcp -rdiff`, that snapshot deleted, the previous one taken again over the
   * identical data so DistCp accepts the diff), then the source's diff applies.
   */
  rollback?: { touched: string[]; changes: Change[] };
  /**
   * A dry run's view of the copy as the diff stands now: applied through WebHDFS (its calls), or why
   * DistCp copies. A run decides again from the snapshot's diff when it copies.
   */
  direct?: DirectDecision;
  /** An encryption zone on either side: DistCp copies without its checksum check, verification compares no checksums. */
  zones?: Zones;
  /** Checksums were asked for and cannot be compared: why. */
  checksumsSkipped?: string;
  /** DistCp jobs an interrupted run left writing into the target, stopped before anything else. */
  orphans: Orphan[];
  stop: Change[];
}

type Decision = Pick<HdfsPlan, 'mode' | 'reason' | 'fallbackReason' | 'previousSnapshot'> & { touched?: string[] };

async function decideMode(ctx: BackupContext, spec: DatasetSpec, previous: DatasetRecord | undefined, facts: PlanFacts): Promise<Decision> {
  const full = (reason: string, fallbackReason?: string): Decision => ({
    mode: 'full',
    reason,
    ...(fallbackReason ? { fallbackReason } : {}),
  });
  if (ctx.options.full) return full('--full requested');
  if (!previous) return full(facts.firstBackup ? 'first backup of the service' : 'new data set (not in the previous restore point)');
  const prev = previous.snapshot;
  if (!(await ctx.primary.hdfs.listSnapshots(spec.source)).includes(prev)) {
    return full('full copy', `the primary no longer has snapshot ${prev} of ${spec.source}`);
  }
  const target = await ctx.secondary.hdfs.getFileStatus(spec.target);
  if (!target?.snapshotEnabled || !(await ctx.secondary.hdfs.listSnapshots(spec.target)).includes(prev)) {
    return full('full copy', `the secondary has no snapshot ${prev} of ${spec.target}`);
  }
  const changes = await ctx.secondary.hdfs.snapshotDiff(spec.target, prev, '');
  if (changes.length) {
    // Someone wrote to the copy: roll it back to the previous restore point, then apply the diff.
    const touched = touchedLines(changes);
    return {
      mode: 'incremental',
      reason: `diff from ${prev}, after rolling back ${changes.length} change(s) made on the target since`,
      previousSnapshot: prev,
      touched,
    };
  }
  // Nothing changed on the source since then either (as far as can be seen now): the run copies
  // nothing. Asked by a dry run only: a run asks the diff of the snapshot at the moment anyway, and
  // each diff walks the source's whole tree on the NameNode under its read lock.
  if (ctx.options.dryRun && !(await ctx.primary.hdfs.snapshotDiff(spec.source, prev, '')).length)
    return { mode: 'unchanged', reason: `nothing changed since ${prev}: no copy`, previousSnapshot: prev };
  return { mode: 'incremental', reason: `diff from ${prev}`, previousSnapshot: prev };
}

export async function planHdfs(
  ctx: BackupContext,
  spec: DatasetSpec,
  snapshot: string,
  previous: DatasetRecord | undefined,
  facts: PlanFacts,
): Promise<HdfsPlan> {
  const { primary, secondary, initiator } = ctx;
  const decision = await decideMode(ctx, spec, previous, facts);
  const zones = await zonesOf(primary, spec.source, secondary, spec.target);
  if (zones?.unencryptedCopy) {
    ctx.progress.warn(
      `${zones.text} and ${secondary.name}:${spec.target} does not: the secondary would store its copy unencrypted; ` +
        `make the target a zone first (hdfs crypto -createZone -keyName <key> -path ${spec.target}, on an empty directory)`,
    );
  }
  const tuning = (site: Site) => tuningOf(ctx, spec, snapshot, site, Boolean(zones));
  const targetUri = fsUri(secondary.cluster.fs, spec.target);
  const distcp = (args: string[]) => commandChange(initiator.name, initiator.tool('hadoop', args));
  const fullCopy = distcp(fullCopyArgs(fsUri(primary.cluster.fs, snapshotPath(spec.source, snapshot)), targetUri, tuning(initiator)));
  const copyCommand = decision.previousSnapshot
    ? distcp(diffCopyArgs(fsUri(primary.cluster.fs, spec.source), targetUri, decision.previousSnapshot, snapshot, tuning(initiator)))
    : fullCopy;

  const status = await secondary.hdfs.getFileStatus(spec.target);
  const claimed = facts.claims.get(ctx.service)?.includes(spec.target) || facts.targetsInCatalog.has(spec.target);
  const prepare: Change[] = [];
  if (!claimed) prepare.push(...claimWrites(ctx.service, spec.target).map((r) => httpChange(secondary, r, '')));
  if (!status) prepare.push(httpChange(secondary, ops.mkdirs(spec.target)));
  if (!status?.snapshotEnabled) prepare.push(httpChange(secondary, ops.allowSnapshot(spec.target)));

  const { touched, ...mode } = decision;
  const rollback =
    touched && decision.previousSnapshot ? rollbackOf(ctx, spec, snapshot, decision.previousSnapshot, touched, Boolean(zones)) : undefined;
  const { orphans, stop } = await findOrphans(ctx, spec);
  const limits = ctx.policy.copy.direct;
  let direct: DirectDecision | undefined;
  if (zones) mode.reason += `; ${zones.text}: DistCp copies it (-skipcrccheck)`;
  else if (ctx.options.dryRun && decision.mode === 'incremental' && decision.previousSnapshot && limits !== 'off') {
    const prev = decision.previousSnapshot;
    direct = await planDirect(ctx, spec, prev, '', await ctx.primary.hdfs.snapshotDiff(spec.source, prev, ''), limits);
    mode.reason += 'copy' in direct ? ', through WebHDFS' : `, by DistCp: ${direct.refused}`;
  }
  const checksums = ctx.options.checksums || ctx.policy.verify.checksums;
  return {
    spec,
    snapshot,
    ...mode,
    ...(rollback ? { rollback } : {}),
    ...(direct ? { direct } : {}),
    orphans,
    stop,
    checksums: checksums && !zones,
    ...(checksums && zones ? { checksumsSkipped: `not comparable: ${zones.text}` } : {}),
    ...(zones ? { zones } : {}),
    allChecksums: ctx.options.allChecksums,
    ...(decision.previousSnapshot && previous?.verification.digest ? { previousDigest: previous.verification.digest } : {}),
    snapshotChange: httpChange(primary, ops.createSnapshot(spec.source, snapshot)),
    prepare,
    copyCommand,
    fullCopy,
    targetSnapshotChange: httpChange(secondary, ops.createSnapshot(spec.target, snapshot)),
  };
}

/** DistCp's settings for a copy into the target run by `site`'s tools: the policy's, and the job's name and tags. */
export function tuningOf(ctx: FlowContext, spec: DatasetSpec, snapshot: string, site: Site, skipCrc = false): DistCpTuning {
  const stamp = stampOfSnapshot(ctx.service, snapshot) ?? snapshot;
  return {
    mappers: ctx.policy.copy.mappers,
    bandwidthMBps: ctx.policy.copy.bandwidthMBps,
    job: copyJob('backup', ctx.service, stamp, ctx.secondary.name, spec.target, site.cluster.yarn?.queue),
    ...(skipCrc ? { skipCrc } : {}),
  };
}

/**
 * What a touched target is changed by: rolled back to `prev` by snapshot diff (the secondary's own
 * DistCp), `prev` taken again over it.
 */
export function rollbackOf(
  ctx: FlowContext,
  spec: DatasetSpec,
  snapshot: string,
  prev: string,
  touched: string[],
  skipCrc: boolean,
): NonNullable<HdfsPlan['rollback']> {
  const { secondary } = ctx;
  const tuning = tuningOf(ctx, spec, snapshot, secondary, skipCrc);
  const now = beforeRollbackName(snapshot);
  const targetUri = fsUri(secondary.cluster.fs, spec.target);
  return {
    touched,
    changes: [
      httpChange(secondary, ops.createSnapshot(spec.target, now)),
      commandChange(secondary.name, secondary.tool('hadoop', rdiffArgs(targetUri, now, prev, tuning))),
      httpChange(secondary, ops.deleteSnapshot(spec.target, now)),
      httpChange(secondary, ops.deleteSnapshot(spec.target, prev)),
      httpChange(secondary, ops.createSnapshot(spec.target, prev)),
    ],
  };
}

/** A target's changes since a snapshot, one line each, as a report lists them. */
export const touchedLines = (changes: DiffEntry[]): string[] =>
  changes.map((e) => `${e.type} ${e.sourcePath || '.'}${e.targetPath ? ` → ${e.targetPath}` : ''}`);
