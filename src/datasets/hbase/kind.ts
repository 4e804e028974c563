/**
 * HBase tables as a data-set kind: snapshots taken together in one shell session on the primary,
 * copied with ExportSnapshot to the secondary's hbase.rootdir (files it already has are skipped),
 * verified with SnapshotInfo on both sides. Each table's snapshot is consistent in itself; tables
 * are not captured atomically together (the quiesce hooks are for that).
 */
import { fullTableName } from '../../config/load.js';
import { commandChange, httpChange, perform } from '../../core/change.js';
import { fireLine, statements } from '../../hbase/shell.js';
import { partialSnapshotsDir, rootdirMissing, rootPath, snapshotsDir, stampOfTableSnapshot, tableDir } from '../../hbase/tables.js';
import { ops } from '../../hdfs/requests.js';
import { missingTool } from '../../sites/checks.js';
import type { DatasetKind, OwnSnapshot } from '../kind.js';
import { armHbase, exportHbase, verifyHbase } from './copy.js';
import { type HbasePlan, planHbase } from './plan.js';
import { type HbaseRestore, planHbaseRestore, verifyHbaseRestore } from './restore.js';

export const hbaseKind: DatasetKind<HbasePlan, HbaseRestore> = {
  type: 'hbase',

  spec: (entry) =>
    entry.hbase === undefined
      ? undefined
      : { type: 'hbase', source: fullTableName(entry.hbase), target: fullTableName(entry.target ?? entry.hbase) },

  async sourceProblem(primary, spec) {
    const root = rootPath(primary.cluster);
    if (!root) return rootdirMissing(primary.cluster);
    if (!(await primary.hdfs.getFileStatus(`${tableDir(root, spec.source)}/.tabledesc`))) {
      return `table ${spec.source} does not exist on ${primary.name} (no ${tableDir(root, spec.source)} under its hbase.rootdir)`;
    }
    return undefined;
  },

  async targetProblems(ctx) {
    const reasons: string[] = [];
    if (!rootPath(ctx.secondary.cluster)) reasons.push(rootdirMissing(ctx.secondary.cluster));
    for (const site of new Set([ctx.primary, ctx.secondary, ctx.initiator])) {
      const missing = missingTool(site.cluster, 'hbase');
      if (missing) reasons.push(missing);
    }
    return [...new Set(reasons)];
  },

  plan: planHbase,

  // One line takes every table's snapshot at once, in the session started for the moment.
  moment: (plans) => {
    const first = plans[0]?.snapshotChange;
    if (!first || !('command' in first)) return [];
    return [commandChange(first.site, first.command, fireLine(plans.map((p) => ({ table: p.spec.source, name: p.snapshot }))))];
  },
  changes: (plan) => ({ copy: [plan.exportChange] }),

  arm: armHbase,

  copy: exportHbase,

  verify: verifyHbase,

  // The copy of a snapshot keeps its name on the secondary, which names the source table.
  async snapshots(site, { source: table }, _side, service) {
    const root = rootPath(site.cluster);
    if (!root) return [];
    const out: OwnSnapshot[] = [];
    const list = async (dir: string, partial: boolean) => {
      if (!(await site.hdfs.getFileStatus(dir))) return;
      for (const st of await site.hdfs.listStatus(dir)) {
        const stamp = stampOfTableSnapshot(service, table, st.pathSuffix);
        if (stamp) out.push({ name: st.pathSuffix, stamp, ...(partial ? { partial } : {}) });
      }
    };
    await list(snapshotsDir(root), false);
    await list(partialSnapshotsDir(root), true);
    return out;
  },

  deleteSnapshots(site, refs) {
    const complete = refs.filter((r) => !r.partial);
    const changes = refs
      .filter((r) => r.partial)
      // An export that never completed left its manifest in .hbase-snapshot/.tmp: HBase does not know it.
      .map((r) => httpChange(site, ops.delete(`${partialSnapshotsDir(rootPath(site.cluster)!)}/${r.name}`, true)));
    if (complete.length) {
      const input = `${complete.map((r) => statements.deleteSnapshot(r.name)).join('\n')}\n`;
      changes.unshift(commandChange(site.name, site.tool('hbase', ['shell', '-n']), input));
    }
    return changes;
  },

  async missing(secondary, record) {
    const root = rootPath(secondary.cluster);
    const path = root ? `${snapshotsDir(root)}/${record.snapshot}` : `${record.snapshot} (no hbase.rootdir for ${secondary.name})`;
    return root && (await secondary.hdfs.getFileStatus(`${path}/.snapshotinfo`)) ? [] : [path];
  },

  planRestore: planHbaseRestore,

  async restore(ctx, item) {
    for (const c of item.changes) await perform(ctx, c);
  },

  verifyRestore: verifyHbaseRestore,
};
