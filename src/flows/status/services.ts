/**
 * `status --policies`: per service, its newest restore point and whether it is overdue (its schedule
 * fired more than an hour ago without one), and what hbackup made for it that belongs to no restore
 * point, and its last restore drill (WARNING when it failed, or when the last that passed is older
 * than the policy allows). A service that cannot be read is said, never left out.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { lastDrills, readDrills } from '../../catalog/drills.js';
import { policyFiles, type ResolvedPolicy, resolvePolicy } from '../../config/load.js';
import { intervalSeconds } from '../../config/schedule.js';
import { policyFor } from '../../core/context.js';
import { isDue } from '../../core/due.js';
import { specsOf } from '../../datasets/index.js';
import { leftoversOf } from '../../datasets/leftovers.js';
import { HbackupError } from '../../errors.js';
import { execaRunner } from '../../exec/runner.js';
import { lockHolder } from '../../lock/lock.js';
import type { Problem, SiteStatus } from '../../sites/health.js';
import { openSite, type SiteIo } from '../../sites/site.js';
import { type ReplicationStatus, replicationStatus } from './replication.js';

/** A service is overdue when its latest slot has had no restore point for this long. */
const OVERDUE_MS = 3_600_000;
/** With a drill schedule and no maxAgeDays, the last successful drill may be this old. */
const DRILL_MAX_AGE_DAYS = 8;

/** A service's drills as status shows them (null: the policy has no drill settings and none was run). */
export interface DrillStatus {
  lastOk: { stamp: string; point: string; restoreSeconds: number | null; ageSeconds: number } | null;
  lastFailed: { stamp: string; point: string; problem: string } | null;
  /** How old the last successful drill may be, in days (null: no limit). */
  maxAgeDays: number | null;
}

export interface ServiceStatus {
  service: string;
  file: string;
  newestRestorePoint: string | null;
  /** The age of the newest restore point: what a failover now would lose (the RPO). */
  ageSeconds: number | null;
  /** How long the run that made it took (the cycle time). */
  cycleSeconds: number | null;
  /** The schedule's interval ("every 30s", or a cron's), when it has one. */
  intervalSeconds?: number;
  overdue: boolean;
  /** Snapshots and files of no restore point, and the bytes the snapshots reference (null: not looked for). */
  leftovers: { count: number; bytes: number; runUnderWay?: true } | null;
  drills?: DrillStatus;
  /** Its replicated HBase tables' peer and lag (read on the primary; absent: none, or the primary does not answer). */
  replication?: ReplicationStatus;
}

export async function servicesStatus(
  dir: string,
  clusters: string | undefined,
  sites: SiteStatus[],
  io: SiteIo & { now: () => Date; stateDir: string },
): Promise<{ services: ServiceStatus[]; problems: Problem[] }> {
  const services: ServiceStatus[] = [];
  const problems: Problem[] = [];
  const secondary = sites.find((s) => s.role === 'secondary');
  const primary = sites.find((s) => s.role === 'primary' && !s.stale);
  for (const policy of policyFiles(dir)) {
    try {
      const rp = resolvePolicy(policy, clusters);
      const { service } = rp.policy;
      const cluster = rp.pair.find((c) => c.name === secondary?.site);
      const home = rp.pair.find((c) => c.name === primary?.site);
      if (!cluster) {
        const its = rp.pair.map((c) => c.name).join(' and ');
        problems.push({ level: 'WARNING', message: `${policy}: ${service} runs between ${its}, not this clusters file's pair: left out` });
        continue;
      }
      if (!secondary?.reachable) {
        services.push({
          service,
          file: policy,
          newestRestorePoint: null,
          ageSeconds: null,
          cycleSeconds: null,
          overdue: false,
          leftovers: null,
        });
        problems.push({ level: 'WARNING', message: `${service}: its restore points cannot be read: ${cluster.name} does not answer` });
        continue;
      }
      const there = openSite(cluster, io);
      const catalog = await readCatalog(there.hdfs, service);
      const newest = catalog.points.at(-1);
      const now = io.now();
      const due = isDue(rp.policy.schedule, newest ? new Date(newest.moment) : undefined, now);
      const overdue = due.due && due.slot !== undefined && now.getTime() - due.slot.getTime() > OVERDUE_MS;
      const age = newest ? Math.round((now.getTime() - Date.parse(newest.moment)) / 1000) : null;
      const interval = rp.policy.schedule ? intervalSeconds(rp.policy.schedule, now) : undefined;
      if (overdue) problems.push({ level: 'WARNING', message: `${service}: overdue (${due.reason})` });
      // What belongs to no restore point, on both sites when the primary answers (its own catalog counts too).
      const here = home && primary?.reachable ? openSite(home, io) : undefined;
      const catalogs = [{ site: there, catalog }, ...(here ? [{ site: here, catalog: await readCatalog(here.hdfs, service) }] : [])];
      const roles = { primary: home ?? rp.pair.find((c) => c !== cluster)!, secondary: cluster, from: 'identity' as const };
      const left = await leftoversOf({ primary: here, secondary: there }, service, specsOf(policyFor(rp, roles).datasets), catalogs);
      // A run under way on this host has snapshots of no restore point yet: they are its own, not left over.
      const busy = lockHolder(service, io.stateDir);
      const leftovers = {
        count: left.length,
        bytes: left.reduce((n, l) => n + (l.bytes ?? 0), 0),
        ...(busy ? { runUnderWay: true as const } : {}),
      };
      if (left.length && !busy)
        problems.push({
          level: 'WARNING',
          message: `${service}: ${left.length} snapshot(s) or file(s) of no restore point (referencing ${leftovers.bytes} bytes): the next backup removes them; hbackup list shows them`,
        });
      const drills = await drillStatus(there.hdfs, rp.policy, now, problems);
      const replication = here
        ? await replicationStatus(policyFor(rp, roles), here, io.runner ?? execaRunner, problems).catch((e: unknown) => {
            if (!(e instanceof HbackupError)) throw e;
            problems.push({ level: 'WARNING', message: `${service}: its replication cannot be read: ${e.message}` });
            return undefined;
          })
        : undefined;
      services.push({
        service,
        file: policy,
        newestRestorePoint: newest?.snapshot ?? null,
        ageSeconds: age,
        cycleSeconds: newest ? newest.durationMs / 1000 : null,
        ...(interval !== undefined ? { intervalSeconds: interval } : {}),
        overdue,
        leftovers,
        ...(drills ? { drills } : {}),
        ...(replication ? { replication } : {}),
      });
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      problems.push({ level: 'WARNING', message: `${policy}: ${e.message.split('\n')[0]}` });
    }
  }
  return { services, problems };
}

/** The service's drills; a WARNING when the last failed or the last success is too old (or none passed while drills are due). */
async function drillStatus(
  hdfs: ReturnType<typeof openSite>['hdfs'],
  policy: ResolvedPolicy['policy'],
  now: Date,
  problems: Problem[],
): Promise<DrillStatus | undefined> {
  const { drills, unreadable } = await readDrills(hdfs, policy.service);
  const maxAgeDays = policy.drill.maxAgeDays ?? (policy.drill.schedule ? DRILL_MAX_AGE_DAYS : null);
  for (const u of unreadable)
    problems.push({ level: 'WARNING', message: `${policy.service}: drill record ${u.path} cannot be read: ${u.reason}` });
  if (!drills.length && maxAgeDays === null) return undefined;
  const { lastOk, last } = lastDrills(drills);
  const failed = last && last.result !== 'ok' ? last : undefined;
  const ageSeconds = lastOk ? Math.round((now.getTime() - Date.parse(lastOk.completedAt)) / 1000) : null;
  if (failed) {
    problems.push({
      level: 'WARNING',
      message: `${policy.service}: the last restore drill (${failed.stamp}, of ${failed.point}) failed: ${failed.problems[0] ?? 'see its record'}; hbackup drill shows why`,
    });
  }
  if (maxAgeDays !== null && (ageSeconds === null || ageSeconds > maxAgeDays * 86_400)) {
    const since = lastOk ? `the last successful drill is ${(ageSeconds! / 86_400).toFixed(1)} days old` : 'no drill has passed yet';
    problems.push({ level: 'WARNING', message: `${policy.service}: ${since} (the policy allows ${maxAgeDays} days); run hbackup drill` });
  }
  return {
    lastOk: lastOk
      ? {
          stamp: lastOk.stamp,
          point: lastOk.point,
          restoreSeconds: lastOk.restoreMs === null ? null : lastOk.restoreMs / 1000,
          ageSeconds: ageSeconds!,
        }
      : null,
    lastFailed: failed ? { stamp: failed.stamp, point: failed.point, problem: failed.problems[0] ?? '' } : null,
    maxAgeDays,
  };
}
