/**
 * A failback's quarantine: before an old primary is rolled back, a snapshot of each data set of the
 * service keeps what it holds — `hbackup-quarantine-<service>-<stamp>`, never deleted by hbackup —
 * and what changed there since the restore point both sites share is listed: the writes the
 * failover lost, for the administrator to look at. A Hive table has no snapshot of its own: what
 * its metadata gained or lost is listed, its data kept by its directories' quarantine snapshots.
 */
import type { RestorePoint } from '../../catalog/catalog.js';
import { type Change, commandChange, httpChange, look, type Performer } from '../../core/change.js';
import { hiveOf, tableOf } from '../../datasets/hive/plan.js';
import { dirsOn, hiveRecord } from '../../datasets/hive/restore.js';
import { cleanLine } from '../../errors.js';
import { compareTables } from '../../hbase/compare.js';
import { infoArgs, parseSnapshotInfo } from '../../hbase/info.js';
import { statements } from '../../hbase/shell.js';
import { tableSnapshotName } from '../../hbase/tables.js';
import { ops } from '../../hdfs/requests.js';
import { readTables, rewriteLocation, tableChanges } from '../../hive/sync.js';
import type { Site } from '../../sites/site.js';
import type { ServiceReport } from './pair.js';

/** A quarantine snapshot's name: not one of the service's restore points, so retention never touches it. */
export const quarantineName = (service: string, stamp: string) => `hbackup-quarantine-${service}-${stamp}`;

export interface Quarantined {
  record: RestorePoint['datasets'][number];
  name: string;
  /** The snapshot that keeps it (none for a Hive table: its data is in its directories' quarantine snapshots). */
  change?: Change;
  /** Is it there already (taken by a run that died)? */
  exists(): Promise<boolean>;
}

/** The quarantine snapshots of a service's data sets on the old primary (those of the shared restore point). */
export function quarantineOf(p: Performer, old: Site, shared: RestorePoint | undefined, service: string, stamp: string): Quarantined[] {
  const name = quarantineName(service, stamp);
  return (shared?.datasets ?? []).map((record): Quarantined => {
    if (record.type === 'hive') return { record, name, exists: async () => true };
    if (record.type === 'hdfs')
      return {
        record,
        name,
        change: httpChange(old, ops.createSnapshot(record.target, name)),
        exists: async () => (await old.hdfs.listSnapshots(record.target)).includes(name),
      };
    const table = tableSnapshotName(name, record.target);
    return {
      record,
      name: table,
      change: commandChange(old.name, old.tool('hbase', ['shell', '-n']), `${statements.snapshot(record.target, table)}\n`),
      // A table's snapshot taken by a run that died is taken again under the same name: the shell refuses it, so it is looked for first.
      exists: async () => {
        const r = await look(p, old.tool('hbase', infoArgs(table)));
        return !parseSnapshotInfo(`${r.stdout}\n${r.stderr}`, table).problems.includes(`snapshot ${table} not found`);
      },
    };
  });
}

/**
 * What the old primary changed since the shared point, kept in the quarantine snapshots. A replicated
 * table (`replicated`: the tables, and the current primary's cluster key) is compared row by row with
 * the current primary's: the rows it wrote that never got there, by key.
 */
export async function lostWrites(
  p: Performer,
  old: Site,
  shared: RestorePoint,
  quarantine: Quarantined[],
  replicated?: { tables: string[]; key: string; primary: string },
) {
  const out: NonNullable<ServiceReport['lostWrites']> = [];
  for (const q of quarantine) {
    if (q.record.type === 'hive') {
      out.push(await tableLostWrites(old, q, quarantine));
      continue;
    }
    if (q.record.type === 'hdfs') {
      const diff = await old.hdfs.snapshotDiff(q.record.target, shared.snapshot, q.name);
      out.push({
        dataset: q.record.target,
        quarantine: `${q.record.target}/.snapshot/${q.name}`,
        changes: diff.map((e) => `${e.type} ${e.sourcePath || '.'}${e.targetPath ? ` → ${e.targetPath}` : ''}`),
      });
      continue;
    }
    // Not compared (the primary's HBase out of reach from the old one): the store files say whether it changed.
    let unread = '';
    if (replicated?.tables.includes(q.record.target)) {
      const shell = old.tool('hbase', ['shell', '-n']);
      const what = { table: q.record.target, key: replicated.key, sinceMs: Date.parse(shared.moment) };
      const c = await compareTables((cmd, o) => look(p, cmd, o), shell, what).catch((e: Error) => {
        unread = `not compared row by row with ${replicated.primary}'s: ${cleanLine(e.message, 200)}`;
        return undefined;
      });
      if (c) {
        const partial = c.partial ? [`… the first ${c.cells} cells written since ${shared.moment} compared only`] : [];
        const gone = c.missingThere ? [`${replicated.primary} has no table ${q.record.target}`] : [];
        out.push({ dataset: q.record.target, quarantine: q.name, changes: [...gone, ...c.lost.map((r) => `row ${r}`), ...partial] });
        continue;
      }
    }
    const info = async (name: string) =>
      parseSnapshotInfo(((r) => `${r.stdout}\n${r.stderr}`)(await look(p, old.tool('hbase', infoArgs(name)))), name);
    const [before, now] = await Promise.all([info(q.record.snapshot), info(q.name)]);
    const same = before.files.size === now.files.size && [...now.files.keys()].every((f) => before.files.has(f));
    out.push({
      dataset: q.record.target,
      quarantine: q.name,
      changes: [...(unread ? [unread] : []), ...(same ? [] : ['table changed (its store files differ from the shared restore point)'])],
    });
  }
  return out;
}

/**
 * What the old primary changed in a Hive table's metadata since the shared point: partitions
 * created and dropped, columns, storage or parameters altered, the table dropped. Its data lies in
 * the quarantine snapshot of the directory that holds it.
 */
async function tableLostWrites(old: Site, q: Quarantined, quarantine: Quarantined[]) {
  const record = hiveRecord(q.record);
  const before = record.table;
  const [now] = await readTables(hiveOf(old), [tableOf(q.record.target)], { missingOk: true });
  // The directory data set (on the old primary) that holds the table's location.
  const dir = dirsOn(old, record).find(([s]) => rewriteLocation(before.location, { fs: record.fs, dirs: [[s, s]] }, record.fs))?.[1];
  const kept = quarantine.find((x) => x.record.type === 'hdfs' && x.record.target === dir);
  return {
    dataset: q.record.target,
    quarantine: kept ? `${kept.record.target}/.snapshot/${kept.name}` : '',
    changes: tableChanges(before, now),
  };
}
