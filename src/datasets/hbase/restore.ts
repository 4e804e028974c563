/**
 * Bringing an HBase table of a restore point back on a site: the snapshot is there already (on the
 * secondary; on the primary while retention keeps it) or is exported there first; then, in one
 * shell session, `clone_snapshot` beside the live table (a suffix) or in place: `restore_snapshot`
 * between disable and enable when the table is the snapshot's own, else drop and clone.
 */
import type { DatasetRecord } from '../../catalog/catalog.js';
import { type Change, commandChange, look, shellChange } from '../../core/change.js';
import { HbackupError } from '../../errors.js';
import { exportArgs } from '../../hbase/export.js';
import { infoArgs, parseSnapshotInfo } from '../../hbase/info.js';
import { statements } from '../../hbase/shell.js';
import { parseTable, rootdirMissing, rootPath, snapshotsDir, tableDir } from '../../hbase/tables.js';
import type { FlowContext, RestoreItem, RestoreWhere, Verification } from '../kind.js';

export interface HbaseRestore extends RestoreItem {
  table: string;
}

export async function planHbaseRestore(ctx: FlowContext, record: DatasetRecord, where: RestoreWhere): Promise<HbaseRestore> {
  const { primary, secondary, initiator, policy } = ctx;
  const site = where.on === 'secondary' ? secondary : primary;
  const root = rootPath(site.cluster);
  const live = where.on === 'secondary' ? record.target : record.source;
  const table = where.suffix ? `${live}${where.suffix}` : live;
  const problems: string[] = [];
  const changes: Change[] = [];
  const item = (method: string): HbaseRestore => ({
    record,
    site: site.name,
    from: record.snapshot,
    to: `${site.name}:${table}`,
    inPlace: !where.suffix,
    method,
    changes,
    problems,
    table,
  });
  if (!root) {
    problems.push(rootdirMissing(site.cluster));
    return item('');
  }
  const here = Boolean(await site.hdfs.getFileStatus(`${snapshotsDir(root)}/${record.snapshot}`));
  let method = here ? '' : `export from ${secondary.name}, then `;
  if (!here) {
    const pull = initiator.name === primary.name;
    const args = exportArgs({
      snapshot: record.snapshot,
      copyTo: primary.cluster.hbase!.rootdir!,
      copyFrom: pull ? secondary.cluster.hbase?.rootdir : undefined,
      mappers: policy.copy.mappers,
      bandwidthMBps: policy.copy.bandwidthMBps,
      owner: primary.cluster.hbase?.owner,
      group: primary.cluster.hbase?.group,
    });
    changes.push(commandChange(initiator.name, initiator.tool('hbase', args)));
  }
  const exists = Boolean(await site.hdfs.getFileStatus(`${tableDir(root, table)}/.tabledesc`));
  const ns = parseTable(table).namespace;
  const shell: string[] = [];
  if (!exists && ns !== 'default' && !(await site.hdfs.getFileStatus(`${root}/data/${ns}`))) shell.push(statements.createNamespace(ns));
  if (where.suffix && exists) problems.push(`table ${table} exists on ${site.name}: choose another --suffix`);
  if (!exists) {
    shell.push(statements.clone(record.snapshot, table));
    method += 'clone_snapshot';
  } else if (table === record.source) {
    shell.push(statements.disable(table), statements.restore(record.snapshot), statements.enable(table));
    method += 'restore_snapshot';
  } else {
    shell.push(statements.disable(table), statements.drop(table), statements.clone(record.snapshot, table));
    method += 'drop, then clone_snapshot';
  }
  changes.push(shellChange(site, shell));
  return item(method);
}

/** The HFile a store file stands for: itself, or the one a link (`ns=table=region-hfile`) or reference (`hfile.region`) points at. */
const hfileOf = (name: string) => (name.includes('=') ? name.slice(name.lastIndexOf('-') + 1) : name).split('.')[0]!;

/** The table's store files are exactly the snapshot's, as SnapshotInfo lists them on that site. */
export async function verifyHbaseRestore(ctx: FlowContext, item: HbaseRestore): Promise<Verification> {
  const site = ctx.sites[item.site]!;
  const r = await look(ctx, site.tool('hbase', infoArgs(item.record.snapshot)));
  const info = parseSnapshotInfo(`${r.stdout}\n${r.stderr}`, item.record.snapshot);
  const dir = tableDir(rootPath(site.cluster)!, item.table);
  // Store files: <region>/<family>/<file>, each a link into the snapshot's files, a reference, or a plain HFile.
  const stored = (await site.hdfs.listRecursive(dir))
    .filter(
      (e) => e.status.type === 'FILE' && e.rel.split('/').length === 3 && !e.rel.startsWith('.') && !e.rel.split('/')[1]!.startsWith('.'),
    )
    .filter((e) => !e.rel.includes('/recovered.edits/'))
    .map((e) => {
      const [, family, name] = e.rel.split('/') as [string, string, string];
      return { family, hfile: hfileOf(name), plain: !name.includes('=') && !name.includes('.') };
    });
  const expected = [...info.files.keys()].map((f) => ({ family: f.split('/').at(-2)!, hfile: hfileOf(f.split('/').pop()!) }));
  const problems = [...info.problems];
  const have = new Set(stored.map((e) => e.hfile));
  const wanted = new Set(expected.map((e) => e.hfile));
  for (const h of expected) {
    if (have.has(h.hfile)) continue;
    // A clone's regions open with links only; HBase may compact them at once (enough files in a store):
    // a plain HFile of the family that the snapshot does not hold is that compaction's output.
    const compacted = stored.some((e) => e.family === h.family && e.plain && !wanted.has(e.hfile));
    if (!compacted) problems.push(`${h.hfile} missing from ${item.table}`);
  }
  if (problems.length) throw new HbackupError(`${item.to}: verification failed: ${problems.slice(0, 3).join('; ')}`);
  const bytes = [...info.files.values()].reduce((n, b) => n + b, 0);
  return { files: expected.length, directories: 0, bytes, checksums: false, filesChecksummed: 0 };
}
