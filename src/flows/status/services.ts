/**
 * `status --policies`: per service, its newest restore point and whether it is overdue (its schedule
 * fired more than an hour ago without one), and what hbackup made for it that belongs to no restore
 * point. A service that cannot be read is said, never left out.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { policyFiles, resolvePolicy } from '../../config/load.js';
import { policyFor } from '../../core/context.js';
import { isDue } from '../../core/due.js';
import { specsOf } from '../../datasets/index.js';
import { leftoversOf } from '../../datasets/leftovers.js';
import { HbackupError } from '../../errors.js';
import { lockHolder } from '../../lock/lock.js';
import type { Problem, SiteStatus } from '../../sites/health.js';
import { openSite, type SiteIo } from '../../sites/site.js';

/** A service is overdue when its latest slot has had no restore point for this long. */
const OVERDUE_MS = 3_600_000;

export interface ServiceStatus {
  service: string;
  file: string;
  newestRestorePoint: string | null;
  ageSeconds: number | null;
  overdue: boolean;
  /** Snapshots and files of no restore point, and the bytes the snapshots reference (null: not looked for). */
  leftovers: { count: number; bytes: number; runUnderWay?: true } | null;
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
        services.push({ service, file: policy, newestRestorePoint: null, ageSeconds: null, overdue: false, leftovers: null });
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
      services.push({ service, file: policy, newestRestorePoint: newest?.snapshot ?? null, ageSeconds: age, overdue, leftovers });
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      problems.push({ level: 'WARNING', message: `${policy}: ${e.message.split('\n')[0]}` });
    }
  }
  return { services, problems };
}
