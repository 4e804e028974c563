/**
 * A drill's plan, read-only: the restore point, the scratch copies a killed drill left (removed
 * first), the restore beside the live data on the secondary under the drill's suffix, the checks,
 * the record, and the scratch copies' removal. Nothing live is in it: only names that end with the
 * suffix, and the drill's own record.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { drillWrites, readDrills } from '../../catalog/drills.js';
import { type Change, commandChange, httpChange } from '../../core/change.js';
import type { FlowContext } from '../../core/context.js';
import { hiveChange, tableOf } from '../../datasets/hive/plan.js';
import { suffixed } from '../../datasets/hive/restore.js';
import { planRestore, type RestorePlan } from '../../datasets/restore.js';
import { statements } from '../../hbase/shell.js';
import { parseTable, rootPath, tableDir } from '../../hbase/tables.js';
import { ops } from '../../hdfs/requests.js';
import { readTables } from '../../hive/sync.js';
import { dropTable } from '../../hive/tables.js';
import type { Site } from '../../sites/site.js';

/** What ends every directory and table name a drill restores into. */
export const DRILL_SUFFIX = '.hbackup-drill';

export interface Scratch {
  type: string;
  /** The directory or table (on the secondary). */
  name: string;
}

/** Where a drill restores a data set beside its copy on the secondary. */
export const scratchName = (d: { type: string; target: string }): string =>
  d.type === 'hive' ? suffixed(d.target, DRILL_SUFFIX) : `${d.target}${DRILL_SUFFIX}`;

/** The changes that remove scratch copies: directories deleted, tables disabled (when enabled) and dropped in one session. */
export function removal(site: Site, scratch: Scratch[]): Change[] {
  // A Hive table first (external: dropping it leaves its files), then the directories under it.
  const hive = scratch
    .filter((s) => s.type === 'hive')
    .map((s) => hiveChange(site, dropTable(tableOf(s.name).database, tableOf(s.name).table)));
  const dirs = scratch.filter((s) => s.type === 'hdfs').map((s) => httpChange(site, ops.delete(s.name, true)));
  const tables = scratch.filter((s) => s.type === 'hbase').map((s) => s.name);
  if (!tables.length) return [...hive, ...dirs];
  // A namespace made for a scratch table goes with it once it holds no table.
  const namespaces = [...new Set(tables.map((t) => parseTable(t).namespace))].filter((ns) => ns !== 'default' && ns !== 'hbase');
  const script = [
    ...tables.flatMap((t) => [statements.disableIfEnabled(t), statements.drop(t)]),
    ...namespaces.map(statements.dropNamespaceIfEmpty),
  ].join('\n');
  return [...hive, ...dirs, commandChange(site.name, site.tool('hbase', ['shell', '-n']), `${script}\n`)];
}

/** Scratch copies (and half-written drill records) that a drill killed before its clean-up left. */
export async function leftOver(
  ctx: FlowContext,
  targets: { type: string; target: string }[],
): Promise<{ scratch: Scratch[]; temporary: string[] }> {
  const site = ctx.secondary;
  const scratch: Scratch[] = [];
  for (const t of targets) {
    const name = scratchName(t);
    if (t.type === 'hdfs' && (await site.hdfs.getFileStatus(name))) scratch.push({ type: 'hdfs', name });
    const root = rootPath(site.cluster);
    if (t.type === 'hbase' && root && (await site.hdfs.getFileStatus(tableDir(root, name)))) scratch.push({ type: 'hbase', name });
    if (t.type === 'hive' && site.hive) {
      const [there] = await readTables(site.hive, [tableOf(name)], { missingOk: true, locations: false });
      if (there) scratch.push({ type: 'hive', name });
    }
  }
  return { scratch, temporary: (await readDrills(site.hdfs, ctx.service)).temporary };
}

export interface DrillPlan {
  /** Removed first: what a killed drill left. */
  cleanup: Change[];
  /** Undefined while scratch copies are in the way: planned once they are gone. */
  restore: RestorePlan | undefined;
  /** The restore point as the catalog names it (known before the restore is planned). */
  point: { snapshot: string; stamp: string };
  scratch: Scratch[];
  /** The restore point's data sets on the secondary (where scratch copies go beside). */
  targets: { type: string; target: string }[];
  record: Change[];
  removal: Change[];
}

/** The drill of a restore point (`latest` or a stamp / snapshot name) on the secondary. */
export async function planDrill(ctx: FlowContext, point: string, stamp: string): Promise<DrillPlan> {
  const { points } = await readCatalog(ctx.secondary.hdfs, ctx.service);
  const found = point === 'latest' ? points.at(-1) : points.find((p) => p.stamp === point || p.snapshot === point);
  const targets = (found?.datasets ?? []).map((d) => ({ type: d.type, target: d.target }));
  const left = await leftOver(ctx, targets);
  const cleanup = [...removal(ctx.secondary, left.scratch), ...left.temporary.map((t) => httpChange(ctx.secondary, ops.delete(t)))];
  // planRestore names a missing point (exit 2) or anything that forbids the restore (exit 3).
  const restore = left.scratch.length
    ? undefined
    : await planRestore(ctx, { point, on: 'secondary', suffix: DRILL_SUFFIX, datasets: undefined });
  const chosen = restore?.point ?? found!;
  const scratch = chosen.datasets.map((d) => ({ type: d.type, name: scratchName(d) }));
  return {
    cleanup,
    restore,
    point: { snapshot: chosen.snapshot, stamp: chosen.stamp },
    scratch,
    targets: chosen.datasets.map((d) => ({ type: d.type, target: d.target })),
    record: drillWrites(ctx.service, stamp).map((r) => httpChange(ctx.secondary, r)),
    removal: removal(ctx.secondary, scratch),
  };
}
