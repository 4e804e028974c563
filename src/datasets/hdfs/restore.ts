/**
 * Bringing an HDFS directory of a restore point back. In place on a site that holds the snapshot, it
 * is rolled back by snapshot diff: a snapshot of its present state, then `distcp -update -rdiff`
 * (HDFS-9820) undoes what changed since the restore point, copying only modified files; then that
 * snapshot goes. Otherwise — beside the live directory, from the other site, or when DistCp refuses
 * the diff — DistCp copies from the snapshot (`-update -delete`: only files that differ are copied).
 * On the primary, its own snapshot is used while it still has it; else the secondary's copy.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { type Change, commandChange, httpChange, perform, run } from '../../core/change.js';
import { DISTCP_TAIL, fsUri, fullCopyArgs, rdiffArgs, unreadableFile } from '../../distcp/distcp.js';
import { causeLine, HbackupError, ToolError } from '../../errors.js';
import { snapshotPath } from '../../hdfs/paths.js';
import { ops } from '../../hdfs/requests.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import { beforeRestoreName, momentOf, momentStamp, stampOfSnapshot } from '../../names/names.js';
import type { Site } from '../../sites/site.js';
import { copyJob } from '../../yarn/jobs.js';
import type { FlowContext, RestoreItem, RestoreWhere, Verification } from '../kind.js';
import { zonesOf } from './zones.js';

export interface HdfsRestore extends RestoreItem {
  /** The snapshot the data comes from, on which site. */
  fromSite: string;
  fromPath: string;
  toPath: string;
  /** Before the copy: the directory made when it does not exist (DistCp never makes it for an empty one). */
  prepare: Change[];
  /** The copy from the snapshot: the way, or the fallback when the roll-back is refused. */
  copy: Change;
  /** Rolling back in place: snapshot the present state, distcp -rdiff, delete that snapshot. */
  rollback?: { snapshot: Change; rdiff: Change; drop: Change };
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
  const exists = Boolean(await site.hdfs.getFileStatus(toPath));
  if (where.suffix && exists) problems.push(`${toPath} exists on ${site.name}: choose another --suffix`);
  // DistCp with -delete and an empty listing never creates its target, then fails on it.
  const prepare = exists ? [] : [httpChange(site, ops.mkdirs(toPath))];
  const stamp = stampOfSnapshot(ctx.service, record.snapshot) ?? record.snapshot;
  // An encryption zone on either side: DistCp cannot compare checksums (zones.ts).
  const skipCrc = Boolean(await zonesOf(fromSite, fromPath, site, toPath));
  const tuning = (by: Site) => ({
    mappers: policy.copy.mappers,
    bandwidthMBps: policy.copy.bandwidthMBps,
    job: copyJob('restore', ctx.service, stamp, site.name, toPath, by.cluster.yarn?.queue),
    ...(skipCrc ? { skipCrc } : {}),
  });
  const copy = commandChange(
    runner.name,
    runner.tool('hadoop', fullCopyArgs(fsUri(fromSite.cluster.fs, fromPath), fsUri(site.cluster.fs, toPath), tuning(runner))),
  );
  const item = {
    record,
    site: site.name,
    from: `${fromSite.name}:${fromPath}`,
    to: `${site.name}:${toPath}`,
    inPlace: !where.suffix,
    method: fromSite === site ? `copy from ${site.name}'s own snapshot` : `copy from ${fromSite.name}'s snapshot`,
    changes: [...prepare, copy],
    problems,
    fromSite: fromSite.name,
    fromPath,
    toPath,
    prepare,
    copy,
  };
  if (where.suffix || fromSite !== site) return item;
  // Nothing changed since the restore point: nothing to roll back (a failover's first question).
  if (!problems.length && !(await site.hdfs.snapshotDiff(toPath, record.snapshot, '')).length) {
    return { ...item, method: 'unchanged since the restore point', changes: [] };
  }
  const now = beforeRestoreName(record.snapshot, momentStamp(momentOf(ctx.now())));
  const dirUri = fsUri(site.cluster.fs, toPath);
  const rollback = {
    snapshot: httpChange(site, ops.createSnapshot(toPath, now)),
    rdiff: commandChange(site.name, site.tool('hadoop', rdiffArgs(dirUri, now, record.snapshot, tuning(site)))),
    drop: httpChange(site, ops.deleteSnapshot(toPath, now)),
  };
  return {
    ...item,
    method: 'roll back by snapshot diff (distcp -rdiff)',
    changes: [rollback.snapshot, rollback.rdiff, rollback.drop],
    rollback,
  };
}

/** The copy from the snapshot; when it fails on files that cannot be read (a corrupt block), the error names them. */
async function copyNamingUnreadable(ctx: FlowContext, item: HdfsRestore): Promise<void> {
  const unreadable = new Set<string>();
  const onStderrLine = (line: string) => {
    const file = unreadableFile(line);
    if (file) unreadable.add(file);
  };
  try {
    await perform(ctx, item.copy, { tail: DISTCP_TAIL, onStderrLine });
  } catch (e) {
    if (!(e instanceof ToolError) || !unreadable.size) throw e;
    const files = [...unreadable].slice(0, 5).join(', ');
    throw new HbackupError(
      `${item.from}: cannot be read back: ${files}${unreadable.size > 5 ? ` and ${unreadable.size - 5} more` : ''} ` +
        `(a block no longer matches its checksums or no DataNode serves it; hdfs fsck ${item.fromPath} -list-corruptfileblocks tells which)`,
    );
  }
}

/** Roll back by snapshot diff where planned; when DistCp refuses it, copy from the snapshot instead. */
export async function restoreHdfs(ctx: FlowContext, item: HdfsRestore): Promise<void> {
  if (!item.changes.length) return;
  if (!item.rollback) {
    for (const c of item.prepare) await perform(ctx, c);
    await copyNamingUnreadable(ctx, item);
    return;
  }
  await perform(ctx, item.rollback.snapshot);
  try {
    const { command } = item.rollback.rdiff as Extract<Change, { command: unknown }>;
    const r = await run(ctx, command, { tail: DISTCP_TAIL });
    if (r.exitCode !== 0) {
      ctx.progress.warn(
        `${item.to}: DistCp refused to roll back by snapshot diff${causeLine(r.stderr, ': ')}; copying from the snapshot instead`,
      );
      await copyNamingUnreadable(ctx, item);
    }
  } finally {
    await perform(ctx, item.rollback.drop);
  }
}

/**
 * Files, directories and bytes below a directory, from its listing: a content summary of a live
 * snapshottable directory would also count what only its snapshots still hold.
 */
async function listed(hdfs: WebHdfs, dir: string) {
  const counts = { fileCount: 0, directoryCount: 0, length: 0 };
  // Streamed a page at a time: a restore of any number of files is counted in flat memory.
  for await (const { status } of hdfs.walk(dir)) {
    if (status.type === 'FILE') {
      counts.fileCount++;
      counts.length += status.length;
    } else counts.directoryCount++;
  }
  return counts;
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
