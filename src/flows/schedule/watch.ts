/**
 * `run-due --watch`: stay up and run each service of a policy directory as soon as its schedule
 * allows (`every 30s`, or cron slots), its drills likewise. The directory is read again at every
 * tick, so edits, new and removed policies take effect without a restart. One service never has
 * two runs at once (a backup and a drill included); a run that fails is tried again after a
 * back-off that doubles up to a limit; at most N services run at a time. Stopping (SIGTERM) starts
 * nothing new and waits for the runs under way: what a killed run leaves, the next run cleans up.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { readDrills } from '../../catalog/drills.js';
import { policyFiles, type ResolvedPolicy, resolvePolicy } from '../../config/load.js';
import { intervalSeconds } from '../../config/schedule.js';
import { type FlowIo, siteOf } from '../../core/context.js';
import { isDue } from '../../core/due.js';
import { HbackupError } from '../../errors.js';
import { currentRoles } from '../../sites/roles.js';
import type { DueBackup, DueDrill } from './run-due.js';

/** The longest a failing service waits before it is tried again. */
const MAX_BACKOFF_MS = 15 * 60_000;

export interface WatchRun {
  service: string;
  what: 'backup' | 'drill';
  /** When it started and ended (ms since the epoch). */
  startedAt: number;
  endedAt: number;
  result: string;
  restorePoint: string | null;
  error?: string;
  /** Failures in a row, and when it will be tried again (after a failure). */
  failures: number;
  retryAt?: number;
  report: DueBackup | DueDrill;
}

export interface WatchIo extends FlowIo {
  /** Wait, or less when stopped meanwhile. */
  sleep: (ms: number) => Promise<void>;
  stopped: () => boolean;
}

interface Job {
  newest: Date | undefined;
  known: boolean;
  failures: number;
  retryAt: number;
}

export async function watch(
  dir: string,
  opts: { clusters: string | undefined; parallel: number; tickMs: number },
  backup: (rp: ResolvedPolicy) => Promise<DueBackup & { moment?: string | null }>,
  drill: (rp: ResolvedPolicy) => Promise<DueDrill>,
  io: WatchIo,
  ran: (run: WatchRun) => void,
): Promise<void> {
  const jobs = new Map<string, Job>();
  const busy = new Map<string, Promise<void>>();
  const said = new Map<string, string>();
  /** Say a problem of a file once, not at every tick. */
  const sayOnce = (file: string, text: string) => {
    if (said.get(file) === text) return;
    said.set(file, text);
    io.progress.warn(text);
  };
  while (!io.stopped()) {
    let files: string[] = [];
    try {
      files = policyFiles(dir);
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      sayOnce(dir, e.message);
    }
    for (const file of files) {
      if (io.stopped() || busy.size >= opts.parallel) break;
      let rp: ResolvedPolicy;
      try {
        rp = resolvePolicy(file, opts.clusters);
        said.delete(file);
      } catch (e) {
        if (!(e instanceof HbackupError)) throw e;
        sayOnce(file, `${file}: ${e.message.split('\n')[0]} (left out until it is fixed)`);
        continue;
      }
      const { service } = rp.policy;
      if (busy.has(service)) continue;
      for (const what of ['backup', 'drill'] as const) {
        const schedule = what === 'backup' ? rp.policy.schedule : rp.policy.drill.schedule;
        if (!schedule) continue;
        const key = `${service}#${what}`;
        const job = jobs.get(key) ?? { newest: undefined, known: false, failures: 0, retryAt: 0 };
        jobs.set(key, job);
        const now = io.now();
        if (now.getTime() < job.retryAt) continue;
        try {
          if (!job.known) job.newest = await newestOf(rp, what, io);
          job.known = true;
        } catch (e) {
          if (!(e instanceof HbackupError)) throw e;
          sayOnce(key, `${service}: ${e.message.split('\n')[0]}`);
          continue;
        }
        if (!isDue(schedule, job.newest, now).due) continue;
        const run = start(rp, what, job, schedule).finally(() => busy.delete(service));
        busy.set(service, run);
        break; // one run per service at a time
      }
    }
    await io.sleep(opts.tickMs);
  }
  await Promise.all(busy.values());

  async function start(rp: ResolvedPolicy, what: 'backup' | 'drill', job: Job, schedule: string): Promise<void> {
    const startedAt = io.now().getTime();
    io.progress.info(`${rp.policy.service}: ${what} due (${isDue(schedule, job.newest, io.now()).reason})`);
    const report: DueBackup | DueDrill = await (what === 'backup' ? backup(rp) : drill(rp)).catch((e: unknown) => ({
      result: 'failed' as const,
      restorePoint: null,
      error: (e as Error).message,
    }));
    const endedAt = io.now().getTime();
    const ok = report.result === 'ok';
    if (ok) {
      job.failures = 0;
      job.retryAt = 0;
      // A backup's restore point answers its moment; a drill, its start.
      const moment = what === 'backup' ? (report as { moment?: string | null }).moment : undefined;
      job.newest = moment ? new Date(moment) : new Date(startedAt);
    } else {
      job.failures++;
      const base = Math.max(1000, (intervalSeconds(schedule, new Date(endedAt)) ?? 60) * 1000);
      job.retryAt = endedAt + Math.min(MAX_BACKOFF_MS, base * 2 ** (job.failures - 1));
    }
    ran({
      service: rp.policy.service,
      what,
      startedAt,
      endedAt,
      result: report.result,
      restorePoint: report.restorePoint,
      ...(report.error ? { error: report.error } : {}),
      failures: job.failures,
      ...(ok ? {} : { retryAt: job.retryAt }),
      report,
    });
  }
}

/** The moment of the newest restore point (backup) or the start of the last drill, from the secondary. */
async function newestOf(rp: ResolvedPolicy, what: 'backup' | 'drill', io: FlowIo): Promise<Date | undefined> {
  const { secondary } = await currentRoles(rp, (c) => siteOf(c, io));
  const hdfs = siteOf(secondary, io).hdfs;
  if (what === 'backup') {
    const newest = (await readCatalog(hdfs, rp.policy.service)).points.at(-1);
    return newest ? new Date(newest.moment) : undefined;
  }
  const last = (await readDrills(hdfs, rp.policy.service)).drills.at(-1);
  return last ? new Date(last.startedAt) : undefined;
}
