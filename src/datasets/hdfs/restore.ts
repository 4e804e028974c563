/**
 * Bringing an HDFS directory of a restore point back: DistCp from the snapshot (`-update -delete`,
 * attributes preserved: only files that differ are copied), beside the live directory or over it.
 * On the primary, its own snapshot is used while it still has it; else the secondary's copy.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { fsUri, fullCopyArgs } from '../../distcp/distcp.js';
import { HbackupError } from '../../errors.js';
import { commandChange } from '../../flow/change.js';
import { snapshotPath } from '../../hdfs/paths.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import type { FlowContext, RestoreItem, RestoreWhere, Verification } from '../kind.js';

export interface HdfsRestore extends RestoreItem {
  /** The snapshot the data comes from, on which site. */
  fromSite: string;
  fromPath: string;
  toPath: string;
}

export async function planHdfsRestore(ctx: FlowContext, record: DatasetRecord, where: RestoreWhere): Promise<HdfsRestore> {
  const { primary, secondary, policy } = ctx;
  const site = where.on === 'secondary' ? secondary : primary;
  const live = where.on === 'secondary' ? record.target : record.source;
  const toPath = where.suffix ? `${live}${where.suffix}` : live;
  const local =
    where.on === 'primary' && (await primary.hdfs.listSnapshots(record.source).catch((): string[] => [])).includes(record.snapshot);
  const [fromSite, fromPath, runner] =
    where.on === 'secondary'
      ? [secondary, snapshotPath(record.target, record.snapshot), secondary]
      : local
        ? [primary, snapshotPath(record.source, record.snapshot), primary]
        : [secondary, snapshotPath(record.target, record.snapshot), ctx.initiator];
  const problems: string[] = [];
  if (where.suffix && (await site.hdfs.getFileStatus(toPath))) problems.push(`${toPath} exists on ${site.name}: choose another --suffix`);
  const args = fullCopyArgs(fsUri(fromSite.cluster.fs, fromPath), fsUri(site.cluster.fs, toPath), {
    mappers: policy.copy.mappers,
    bandwidthMBps: policy.copy.bandwidthMBps,
  });
  return {
    record,
    site: site.name,
    from: `${fromSite.name}:${fromPath}`,
    to: `${site.name}:${toPath}`,
    inPlace: !where.suffix,
    method: fromSite === site ? `copy from ${site.name}'s own snapshot` : `copy from ${fromSite.name}'s snapshot`,
    changes: [commandChange(runner.name, runner.tool('hadoop', args))],
    problems,
    fromSite: fromSite.name,
    fromPath,
    toPath,
  };
}

/**
 * Files, directories and bytes below a directory, from its listing: a content summary of a live
 * snapshottable directory would also count what only its snapshots still hold.
 */
async function listed(hdfs: WebHdfs, dir: string) {
  const entries = await hdfs.listRecursive(dir);
  const files = entries.filter((e) => e.status.type === 'FILE');
  return { fileCount: files.length, directoryCount: entries.length - files.length, length: files.reduce((n, e) => n + e.status.length, 0) };
}

export async function verifyHdfsRestore(ctx: FlowContext, item: HdfsRestore): Promise<Verification> {
  const [a, b] = await Promise.all([
    listed(ctx.sites[item.fromSite]!.hdfs, item.fromPath),
    listed(ctx.sites[item.site]!.hdfs, item.toPath),
  ]);
  const problems = (['fileCount', 'directoryCount', 'length'] as const)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: restore point ${a[k]}, restored ${b[k]}`);
  if (problems.length) throw new HbackupError(`${item.to}: verification failed: ${problems.join('; ')}`);
  return { files: a.fileCount, directories: a.directoryCount, bytes: a.length, checksums: false, filesChecksummed: 0 };
}
