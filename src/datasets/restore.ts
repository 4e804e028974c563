/**
 * Bringing a restore point's data sets back, as every flow that does it shares it (restore, a
 * failover's promotion, a failback's roll-back). Planning is read-only: which restore point (a stamp,
 * a snapshot name, or `latest`), is it intact, which of its data sets, and — per data set, by its
 * kind — where from, where to, and the changes in order. Anything that forbids it refuses before a
 * change (exit 3); a point or data set that does not exist is bad input (exit 2). Then each data set's
 * changes are made and verified, one after another.
 */
import { type RestorePoint, readCatalog } from '../catalog/catalog.js';
import type { Change } from '../core/change.js';
import { PreflightError, UsageError } from '../errors.js';
import { reach } from '../sites/checks.js';
import { kindOf, missingOn } from './index.js';
import type { FlowContext, RestoreItem, RestoreWhere } from './kind.js';

export interface RestoreOptions extends RestoreWhere {
  /** `latest`, a stamp (20261125T020000Z) or a restore point's snapshot name. */
  point: string;
  /** Only these data sets (sources or targets as the policy names them). */
  datasets: string[] | undefined;
}

export interface RestorePlan {
  point: RestorePoint;
  on: RestoreWhere['on'];
  site: string;
  items: RestoreItem[];
}

function pickPoint(points: RestorePoint[], wanted: string, service: string): RestorePoint {
  if (!points.length) throw new UsageError(`${service} has no restore point yet`);
  const found =
    wanted === 'latest' ? points.at(-1) : points.find((p) => p.stamp === wanted || p.snapshot === wanted || p.moment === wanted);
  if (!found) {
    const recent = points
      .slice(-5)
      .map((p) => p.stamp)
      .join(', ');
    throw new UsageError(`--point ${wanted}: no such restore point of ${service}; the newest are ${recent} (or say latest)`);
  }
  return found;
}

export async function planRestore(ctx: FlowContext, options: RestoreOptions): Promise<RestorePlan> {
  const reasons: string[] = [];
  // The secondary holds the restore points; the primary is needed only to restore onto it.
  const maxSkewMs = ctx.policy.preflight.maxClockSkewSeconds * 1000;
  const warn = (t: string) => ctx.progress.warn(t);
  if (options.on === 'primary') await reach(ctx.primary, 'primary', ctx.now, maxSkewMs, reasons, warn);
  await reach(ctx.secondary, 'secondary', ctx.now, maxSkewMs, reasons, warn);
  if (reasons.length) throw new PreflightError(reasons);
  const catalog = await readCatalog(ctx.secondary.hdfs, ctx.service);
  const point = pickPoint(catalog.points, options.point, ctx.service);
  let records = point.datasets;
  if (options.datasets) {
    const unknown = options.datasets.filter((n) => !records.some((r) => r.source === n || r.target === n || r.source === `default:${n}`));
    if (unknown.length) {
      throw new UsageError(
        `--datasets: ${unknown.join(', ')} not in ${point.snapshot}; it holds ${records.map((r) => r.source).join(', ')}`,
      );
    }
    records = records.filter((r) => options.datasets!.some((n) => r.source === n || r.target === n || r.source === `default:${n}`));
  }
  const missing = await missingOn(ctx.secondary, records);
  if (missing.length) reasons.push(`restore point ${point.snapshot} is incomplete on ${ctx.secondary.name}: ${missing.join(', ')} missing`);
  // Metadata after its data (a Hive table after its directories), as a backup copies them.
  records = [...records.filter((r) => !kindOf(r.type).afterData), ...records.filter((r) => kindOf(r.type).afterData)];
  const items: RestoreItem[] = [];
  for (const r of records) items.push(await kindOf(r.type).planRestore(ctx, r, options));
  reasons.push(...items.flatMap((i) => i.problems));
  if (reasons.length) throw new PreflightError(reasons);
  const site = options.on === 'secondary' ? ctx.secondary.name : ctx.primary.name;
  return { point, on: options.on, site, items };
}

/** Every change of a restore, in order. */
export const restoreChanges = (plan: RestorePlan): { step: string; change: Change }[] =>
  plan.items.flatMap((i) => i.changes.map((change) => ({ step: `restore ${i.record.source}`, change })));

/** What a restored data set was verified to hold, in words: a table's metadata by its partitions, data by files and bytes. */
export const verifiedText = (v: { files: number; bytes: number; partitions?: number }): string =>
  v.partitions === undefined ? `${v.files} files, ${v.bytes} bytes` : `the table's metadata, ${v.partitions} partition(s)`;

/** Make a planned restore's changes, data set after data set, each verified before the next. */
export async function restoreItems(
  ctx: FlowContext,
  plan: RestorePlan,
  reports: { verified?: { files: number; bytes: number; partitions?: number } }[],
): Promise<void> {
  for (const [k, item] of plan.items.entries()) {
    const r = reports[k]!;
    await ctx.progress.step(
      `${item.record.source}: ${item.method} → ${item.to}`,
      async () => {
        await kindOf(item.record.type).restore(ctx, item);
        const v = await kindOf(item.record.type).verifyRestore(ctx, item);
        r.verified = { files: v.files, bytes: v.bytes, ...(v.partitions === undefined ? {} : { partitions: v.partitions }) };
      },
      () =>
        `${item.to}: ${item.changes.length ? 'restored from' : 'already equal to'} ${plan.point.snapshot}; verified ${verifiedText(r.verified!)}`,
    );
  }
}
