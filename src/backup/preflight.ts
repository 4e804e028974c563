/**
 * Preflight: everything read-only. Both sites answer, roles are right, clocks agree, every data
 * set can be snapshotted and copied; the previous restore point and the copy mode of each data set
 * are decided here. Any refusal stops the run before anything changes (exit 3).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PreflightError } from '../errors.js';
import type { NamedCluster } from '../config/load.js';
import type { Dataset } from '../config/schema.js';
import { isInside } from '../hdfs/paths.js';
import type { FileStatus } from '../hdfs/webhdfs.js';
import { listRestorePoints, type CopyMode, type RestorePoint } from './catalog.js';
import { readClaims } from './claims.js';
import type { BackupContext, Site } from './context.js';

export interface DatasetPlan {
  source: string;
  target: string;
  mode: CopyMode;
  /** Why the copy is full: the first backup, --full, or why an incremental copy is not possible. */
  reason: string;
  /** Set when an incremental copy was expected but is not possible. */
  fallbackReason?: string;
  /** The snapshot both sides share, for an incremental copy. */
  previousSnapshot?: string;
  targetExists: boolean;
  targetSnapshottable: boolean;
  /** This service has claimed the target already (see claims.ts). */
  targetClaimed: boolean;
}

export interface PreflightFacts {
  restorePoints: RestorePoint[];
  previous?: RestorePoint;
  datasets: DatasetPlan[];
  clockSkewMs: Record<string, number>;
}

const targetOf = (d: Dataset) => d.target ?? d.hdfs;

/**
 * How far a server's clock is from ours at least, from its HTTP Date header (whole seconds, so the
 * server's time lies in [date, date + 1 s)) and our clock before and after the request.
 */
export function clockSkewMs(before: number, after: number, serverDate: number): number {
  const local = (before + after) / 2;
  const halfTrip = (after - before) / 2;
  return Math.max(0, Math.abs(serverDate + 500 - local) - 500 - halfTrip);
}

async function reach(site: Site, now: () => Date, maxSkewMs: number, reasons: string[]): Promise<number | undefined> {
  const before = now().getTime();
  try {
    await site.hdfs.getFileStatus('/');
  } catch (e) {
    reasons.push(`${site.cluster.name} (${site.cluster.role}) is not reachable: ${(e as Error).message}`);
    return undefined;
  }
  const after = now().getTime();
  const server = site.hdfs.lastServerDate?.getTime();
  if (server === undefined || Number.isNaN(server)) return 0;
  const skew = clockSkewMs(before, after, server);
  if (skew > maxSkewMs) {
    reasons.push(
      `clock skew between this host and ${site.cluster.name} is ${(skew / 1000).toFixed(1)}s (limit ${maxSkewMs / 1000}s): fix NTP on both`,
    );
  }
  return skew;
}

interface ModeDecision {
  mode: CopyMode;
  reason: string;
  fallbackReason?: string | undefined;
  previousSnapshot?: string;
}

async function decideMode(ctx: BackupContext, d: Dataset, previous: RestorePoint | undefined): Promise<ModeDecision> {
  const target = targetOf(d);
  const full = (reason: string, fallbackReason?: string): ModeDecision => ({ mode: 'full', reason, fallbackReason });
  if (ctx.opts.full) return full('--full requested');
  if (!previous) return full('first backup of the service');
  const prevRecord = previous.datasets.find((r) => r.source === d.hdfs && r.target === target);
  if (!prevRecord) return full('new data set (not in the previous restore point)');
  const prev = previous.snapshot;
  const srcSnaps = await ctx.primary.hdfs.listSnapshots(d.hdfs);
  if (!srcSnaps.includes(prev)) return full('full copy', `the primary no longer has snapshot ${prev} of ${d.hdfs}`);
  const tgtSnaps = await ctx.secondary.hdfs.listSnapshots(target);
  if (!tgtSnaps.includes(prev)) return full('full copy', `the secondary has no snapshot ${prev} of ${target}`);
  const changes = await ctx.secondary.hdfs.snapshotDiff(target, prev, '');
  if (changes.length) {
    const first = changes[0]!;
    return full(
      'full copy',
      `the target ${target} changed since ${prev} (${changes.length} change${changes.length > 1 ? 's' : ''}, e.g. ${first.type} ${first.sourcePath || '.'})`,
    );
  }
  return { mode: 'incremental', reason: `diff from ${prev}`, previousSnapshot: prev };
}

export async function preflight(ctx: BackupContext): Promise<PreflightFacts> {
  const { policy } = ctx.rp;
  const reasons: string[] = [];
  const maxSkewMs = policy.preflight.maxClockSkewSeconds * 1000;
  const clockSkewMs: Record<string, number> = {};
  for (const site of [ctx.primary, ctx.secondary]) {
    const skew = await reach(site, ctx.deps.now, maxSkewMs, reasons);
    if (skew !== undefined) clockSkewMs[site.cluster.name] = skew;
  }
  const initiator = policy.copy.initiator === 'primary' ? ctx.primary.cluster : ctx.secondary.cluster;
  const missing = missingTool(initiator, 'hadoop');
  if (missing) reasons.push(missing);
  if (reasons.length) throw new PreflightError(reasons);

  const statuses: (FileStatus | undefined)[] = await Promise.all(
    policy.datasets.map((d) => ctx.primary.hdfs.getFileStatus(d.hdfs)),
  );
  const snapshottableOnTarget = await ctx.secondary.hdfs.snapshottableDirs();
  policy.datasets.forEach((d, i) => {
    const problem = sourceProblem(d.hdfs, statuses[i], ctx.primary.cluster.name);
    if (problem) reasons.push(problem);
    const t = targetOf(d);
    for (const s of snapshottableOnTarget) {
      if (s !== t && (isInside(t, s) || isInside(s, t))) {
        reasons.push(
          `target ${t} on ${ctx.secondary.cluster.name} is nested with the snapshottable directory ${s}; HDFS cannot snapshot both`,
        );
      }
    }
  });

  const targetStatuses = await Promise.all(policy.datasets.map((d) => ctx.secondary.hdfs.getFileStatus(targetOf(d))));
  targetStatuses.forEach((st, i) => {
    if (st && st.type !== 'DIRECTORY') {
      reasons.push(`target ${targetOf(policy.datasets[i]!)} on ${ctx.secondary.cluster.name} exists and is not a directory`);
    }
  });
  if (reasons.length) throw new PreflightError(reasons);

  const restorePoints = await listRestorePoints(ctx.secondary.hdfs, policy.service);
  const previous = restorePoints[restorePoints.length - 1];
  const claimed = await targetOwnership(ctx, restorePoints, targetStatuses, reasons);
  if (reasons.length) throw new PreflightError(reasons);
  const datasets: DatasetPlan[] = [];
  for (const [i, d] of policy.datasets.entries()) {
    const decided = await decideMode(ctx, d, previous);
    const st = targetStatuses[i];
    datasets.push({
      source: d.hdfs,
      target: targetOf(d),
      mode: decided.mode,
      reason: decided.reason,
      ...(decided.fallbackReason ? { fallbackReason: decided.fallbackReason } : {}),
      ...(decided.previousSnapshot ? { previousSnapshot: decided.previousSnapshot } : {}),
      targetExists: Boolean(st),
      targetSnapshottable: st?.snapshotEnabled === true,
      targetClaimed: claimed[i]!,
    });
  }
  return { restorePoints, previous, datasets, clockSkewMs };
}

/**
 * Whether each target is this service's own: claimed by it, or named in one of its restore points.
 * Refuses a target another service claims, and an unowned one that already holds data (DistCp's
 * -delete would remove what the source lacks) unless --adopt-target says to replace its contents.
 */
async function targetOwnership(
  ctx: BackupContext,
  restorePoints: RestorePoint[],
  statuses: (FileStatus | undefined)[],
  reasons: string[],
): Promise<boolean[]> {
  const { service, datasets } = ctx.rp.policy;
  const west = ctx.secondary.cluster.name;
  const claims = await readClaims(ctx.secondary.hdfs);
  const inCatalog = new Set(restorePoints.flatMap((r) => r.datasets.map((d) => d.target)));
  const own = new Set([...(claims.get(service) ?? []), ...inCatalog]);
  const result: boolean[] = [];
  for (const [i, d] of datasets.entries()) {
    const t = targetOf(d);
    for (const [other, targets] of claims) {
      if (other === service) continue;
      const clash = targets.find((c) => c === t || isInside(t, c) || isInside(c, t));
      if (clash) reasons.push(`target ${t} on ${west} overlaps ${clash}, the target of service ${other}; give each service its own target`);
    }
    const mine = own.has(t);
    result.push(mine);
    if (mine || !statuses[i] || ctx.opts.adoptTarget) continue;
    const held = await ctx.secondary.hdfs.contentSummary(t);
    const entries = held.fileCount + held.directoryCount - 1;
    if (entries > 0) {
      reasons.push(
        `target ${t} on ${west} already holds ${held.fileCount} file(s) that service ${service} did not write; ` +
          'choose an empty or new target, or pass --adopt-target to let the first copy replace its contents (what the source lacks is deleted)',
      );
    }
  }
  return result;
}

/** What keeps a data set's directory on the primary from being snapshotted, said with the fix. */
export function sourceProblem(dir: string, st: FileStatus | undefined, cluster: string): string | undefined {
  if (!st) return `${dir} does not exist on ${cluster}`;
  if (st.type !== 'DIRECTORY') return `${dir} on ${cluster} is not a directory`;
  if (st.snapshotEnabled !== true) {
    return `${dir} on ${cluster} is not snapshottable; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot ${dir}`;
  }
  return undefined;
}

/** A local tool that cannot be run, said so; tools behind ssh are checked when they run. */
export function missingTool(cluster: NamedCluster, tool: 'hadoop' | 'hdfs' | 'hbase', env = process.env): string | undefined {
  if (cluster.tools.ssh) return undefined;
  const file = cluster.tools[tool];
  const searchPath = cluster.tools.env.PATH ?? env.PATH ?? '';
  const candidates = file.includes('/') ? [file] : searchPath.split(':').filter(Boolean).map((d) => path.join(d, file));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return undefined;
    } catch {
      /* try the next one */
    }
  }
  return `${cluster.name}'s ${tool} (${file}) cannot be run from this host: set clusters.${cluster.name}.tools.${tool} to its path, or tools.ssh to run it on an edge node`;
}
