/**
 * Planning the backup of one HBase table, read-only: its snapshot name, whether the secondary
 * still holds the previous restore point's export (then ExportSnapshot skips every file it already
 * has), and the ExportSnapshot command of the initiator site.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { type Change, commandChange } from '../../core/change.js';
import { exportArgs } from '../../hbase/export.js';
import { statements } from '../../hbase/shell.js';
import { rootPath, snapshotsDir, tableSnapshotName } from '../../hbase/tables.js';
import type { DatasetPlan, DatasetSpec, FlowContext, PlanFacts } from '../kind.js';

export interface HbasePlan extends DatasetPlan {
  /** hbase.rootdir of each side (HDFS paths on their own sites). */
  sourceRoot: string;
  targetRoot: string;
  /** The snapshot statement, run in the shell session at the moment. */
  snapshotChange: Change;
  /** ExportSnapshot, by the initiator site. */
  exportChange: Change;
}

export async function planHbase(
  ctx: FlowContext,
  spec: DatasetSpec,
  runSnapshot: string,
  previous: DatasetRecord | undefined,
  facts: PlanFacts,
): Promise<HbasePlan> {
  const { primary, secondary, initiator, policy } = ctx;
  const sourceRoot = rootPath(primary.cluster)!;
  const targetRoot = rootPath(secondary.cluster)!;
  const snapshot = tableSnapshotName(runSnapshot, spec.source);
  let decision: Pick<HbasePlan, 'mode' | 'reason' | 'fallbackReason'>;
  if (!previous) {
    decision = {
      mode: 'full',
      reason: facts.firstBackup ? 'first backup of the service' : 'new data set (not in the previous restore point)',
    };
  } else if (await secondary.hdfs.getFileStatus(`${snapshotsDir(targetRoot)}/${previous.snapshot}`)) {
    decision = { mode: 'incremental', reason: `files exported with ${previous.snapshot} are skipped` };
  } else {
    decision = { mode: 'full', reason: 'full copy', fallbackReason: `the secondary no longer has snapshot ${previous.snapshot}` };
  }
  const pull = initiator.name === secondary.name;
  const exportCommand = initiator.tool(
    'hbase',
    exportArgs({
      snapshot,
      copyTo: secondary.cluster.hbase!.rootdir!,
      copyFrom: pull ? primary.cluster.hbase!.rootdir! : undefined,
      mappers: policy.copy.mappers,
      bandwidthMBps: policy.copy.bandwidthMBps,
      owner: secondary.cluster.hbase?.owner,
      group: secondary.cluster.hbase?.group,
    }),
  );
  return {
    spec,
    snapshot,
    ...decision,
    sourceRoot,
    targetRoot,
    snapshotChange: commandChange(primary.name, primary.tool('hbase', ['shell', '-n']), statements.snapshot(spec.source, snapshot)),
    exportChange: commandChange(initiator.name, exportCommand),
  };
}
