/**
 * What a DR report says, gathered read-only: the sites' status now; per service its restore points
 * (when, how long, bytes, consistency window), its RPO over time, its drills; and the failovers and
 * failbacks the sites' identity histories hold, with their RPO and RTO. Rendering is apart (html.ts,
 * markdown.ts); the same data is the report's JSON.
 */
import { z } from 'zod';
import { readCatalog } from '../../catalog/catalog.js';
import { readDrills } from '../../catalog/drills.js';
import { clustersPair, policyFiles, resolvePolicy } from '../../config/load.js';
import { type FlowIo, siteOf } from '../../core/context.js';
import { HbackupError } from '../../errors.js';
import { readIdentityHistory } from '../../identity/identity.js';
import { siteStatuses } from '../../sites/health.js';
import type { SiteHealth } from '../../sites/probe.js';
import { currentRoles } from '../../sites/roles.js';

export interface PointRow {
  stamp: string;
  snapshot: string;
  moment: string;
  completedAt: string;
  durationSeconds: number;
  bytesCopied: number;
  filesCopied: number;
  consistencyWindowMs: number;
  datasets: number;
}

export interface DrillRow {
  stamp: string;
  point: string;
  completedAt: string;
  result: string;
  restoreSeconds: number | null;
  durationSeconds: number;
  problem: string | null;
}

export interface SwitchRow {
  at: string;
  site: string;
  epoch: number;
  role: string;
  reason: string;
  /** From the start of the run to this identity (a promotion). */
  rtoSeconds: number | null;
  /** Per service: the restore point served, and how old it was when the run began. */
  served: { service: string; restorePoint: string | null; rpoSeconds: number | null }[];
}

export interface ServiceHistory {
  service: string;
  file: string;
  schedule: string | null;
  secondary: string;
  points: PointRow[];
  /** The RPO over time: how old the newest restore point was, at each change and now (seconds). */
  rpo: { at: string; seconds: number }[];
  drills: DrillRow[];
  problems: string[];
}

export interface ReportData {
  generatedAt: string;
  sites: { site: string; role: string; level: string; reachable: boolean; detail: string }[];
  problems: { level: string; message: string }[];
  services: ServiceHistory[];
  switches: SwitchRow[];
}

const Served = z.array(z.object({ service: z.string(), restorePoint: z.string().nullable(), moment: z.string().nullable() })).optional();

const GiB = 1024 ** 3;

function siteDetail(s: SiteHealth): string {
  const parts = [`NameNode ${s.namenode.state ?? 'answering'}${s.namenode.safemode ? ' (safe mode)' : ''}`];
  if (s.datanodes) parts.push(`${s.datanodes.live} DataNode(s) live, ${s.datanodes.dead} dead`);
  if (s.capacity) parts.push(`${(s.capacity.remainingBytes / GiB).toFixed(1)} GiB free of ${(s.capacity.totalBytes / GiB).toFixed(1)} GiB`);
  if (s.hbase) parts.push(`HBase master ${s.hbase.activeMaster ? 'active' : 'not active'}, ${s.hbase.regionServers} RegionServer(s)`);
  if (s.identity) parts.push(`epoch ${s.identity.epoch}`);
  return parts.join('; ');
}

const secondsBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / 1000);

/** The sawtooth of the RPO: it grows until a restore point is complete, then drops to that point's age. */
export function rpoOverTime(points: { moment: string; completedAt: string }[], now: Date): { at: string; seconds: number }[] {
  const out: { at: string; seconds: number }[] = [];
  const sorted = [...points].sort((a, b) => Date.parse(a.completedAt) - Date.parse(b.completedAt));
  let newest: string | undefined;
  for (const p of sorted) {
    if (newest) out.push({ at: p.completedAt, seconds: secondsBetween(newest, p.completedAt) });
    if (!newest || Date.parse(p.moment) > Date.parse(newest)) newest = p.moment;
    out.push({ at: p.completedAt, seconds: secondsBetween(newest, p.completedAt) });
  }
  if (newest) out.push({ at: now.toISOString(), seconds: secondsBetween(newest, now.toISOString()) });
  return out;
}

export async function gatherReport(files: string[], clusters: string | undefined, io: FlowIo, timeoutMs: number): Promise<ReportData> {
  const now = io.now();
  const pair = clustersPair('report', clusters ?? (files[0] ? resolvePolicy(files[0], undefined).clustersFile : undefined));
  const status = await siteStatuses(pair, { fetch: io.fetch, now: io.now }, timeoutMs, 30_000);
  const data: ReportData = {
    generatedAt: now.toISOString(),
    sites: status.sites.map((s) => ({
      site: s.site,
      role: `${s.role}${s.stale ? ' (stale)' : ''}`,
      level: s.level,
      reachable: s.reachable,
      detail: s.reachable ? siteDetail(s) : `not reachable: ${s.error ?? ''}`,
    })),
    problems: status.problems.map((p) => ({ level: p.level, message: p.message })),
    services: [],
    switches: [],
  };
  for (const site of status.sites.filter((s) => s.reachable)) {
    const cluster = pair.find((c) => c.name === site.site)!;
    for (const id of await readIdentityHistory(siteOf(cluster, io).hdfs)) {
      const served = Served.safeParse(id.served).data ?? [];
      const startedAt = typeof id.startedAt === 'string' ? id.startedAt : undefined;
      data.switches.push({
        at: id.changedAt,
        site: id.site,
        epoch: id.epoch,
        role: id.role,
        reason: id.reason,
        rtoSeconds: startedAt ? secondsBetween(startedAt, id.changedAt) : null,
        served: served.map((s) => ({
          service: s.service,
          restorePoint: s.restorePoint,
          // A planned switchover backs up during its run: nothing older than its start is lost.
          rpoSeconds: s.moment && startedAt ? Math.max(0, secondsBetween(s.moment, startedAt)) : null,
        })),
      });
    }
  }
  data.switches.sort((a, b) => a.epoch - b.epoch || a.at.localeCompare(b.at));
  for (const file of files) {
    try {
      const rp = resolvePolicy(file, clusters);
      const { secondary } = await currentRoles(rp, (c) => siteOf(c, io));
      const hdfs = siteOf(secondary, io).hdfs;
      const [catalog, drills] = [await readCatalog(hdfs, rp.policy.service), await readDrills(hdfs, rp.policy.service)];
      const points = catalog.points.map((p) => ({
        stamp: p.stamp,
        snapshot: p.snapshot,
        moment: p.moment,
        completedAt: p.completedAt,
        durationSeconds: p.durationMs / 1000,
        bytesCopied: p.datasets.reduce((n, d) => n + d.bytesCopied, 0),
        filesCopied: p.datasets.reduce((n, d) => n + d.filesCopied, 0),
        consistencyWindowMs: p.consistencyWindowMs,
        datasets: p.datasets.length,
      }));
      data.services.push({
        service: rp.policy.service,
        file,
        schedule: rp.policy.schedule ?? null,
        secondary: secondary.name,
        points,
        rpo: rpoOverTime(points, now),
        drills: drills.drills.map((d) => ({
          stamp: d.stamp,
          point: d.point,
          completedAt: d.completedAt,
          result: d.result,
          restoreSeconds: d.restoreMs === null ? null : d.restoreMs / 1000,
          durationSeconds: d.durationMs / 1000,
          problem: d.problems[0] ?? null,
        })),
        problems: [...catalog.unreadable.map((u) => `${u.path}: ${u.reason}`), ...drills.unreadable.map((u) => `${u.path}: ${u.reason}`)],
      });
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      data.problems.push({ level: 'WARNING', message: `${file}: ${e.message.split('\n')[0]}` });
    }
  }
  return data;
}

export const reportFiles = (dir: string | undefined, files: string[]): string[] => [...(dir ? policyFiles(dir) : []), ...files];
