/**
 * `run-due`: every policy of a directory whose schedule has fired since its newest restore point
 * is backed up once, at most N at a time; then every service whose drill schedule has fired since
 * its last drill is drilled. Services are independent: one that fails, is refused or is locked does
 * not stop the others; a policy file that cannot be read is reported and skipped.
 */
import { readCatalog } from '../../catalog/catalog.js';
import { readDrills } from '../../catalog/drills.js';
import { type ResolvedPolicy, resolvePolicy } from '../../config/load.js';
import { type FlowIo, siteOf } from '../../core/context.js';
import { isDue } from '../../core/due.js';
import { eachLimited } from '../../core/limit.js';
import type { Outcome } from '../../core/outcome.js';
import { ExitCode, HbackupError } from '../../errors.js';
import { currentRoles } from '../../sites/roles.js';

/** What run-due needs of a backup's report (the command's backup gives it, sync-users included). */
export interface DueBackup {
  result: Outcome;
  restorePoint: string | null;
  error?: string;
  users?: { result: Outcome; error?: string };
}

/** What run-due needs of a drill's report. */
export interface DueDrill {
  result: Outcome;
  restorePoint: string | null;
  error?: string;
}

export interface DueOutcome<R extends DueBackup = DueBackup, D extends DueDrill = DueDrill> {
  file: string;
  service: string | null;
  due: boolean;
  reason: string;
  /** `skipped` when not due; else the backup's outcome (or `invalid`/`failed` before it could start). */
  result: Outcome | 'skipped';
  restorePoint: string | null;
  error?: string;
  report?: R;
  /** Set when the policy's drill schedule has fired since its last drill: why, and how it went. */
  drill?: { reason: string; result: Outcome; restorePoint: string | null; error?: string; report?: D };
}

export async function runDue<R extends DueBackup, D extends DueDrill>(
  files: string[],
  opts: { clusters: string | undefined; now: Date; parallel: number },
  backup: (rp: ResolvedPolicy) => Promise<R>,
  drill: (rp: ResolvedPolicy) => Promise<D>,
  io: FlowIo,
): Promise<DueOutcome<R, D>[]> {
  const outcomes: DueOutcome<R, D>[] = [];
  const due: { rp: ResolvedPolicy; outcome: DueOutcome<R, D> }[] = [];
  const drills: { rp: ResolvedPolicy; outcome: DueOutcome<R, D> }[] = [];
  for (const file of files) {
    const outcome: DueOutcome<R, D> = { file, service: null, due: false, reason: '', result: 'skipped', restorePoint: null };
    outcomes.push(outcome);
    try {
      const rp = resolvePolicy(file, opts.clusters);
      outcome.service = rp.policy.service;
      const { secondary } = await currentRoles(rp, (c) => siteOf(c, io));
      const catalog = rp.policy.schedule ? await readCatalog(siteOf(secondary, io).hdfs, rp.policy.service) : { points: [] };
      const newest = catalog.points.at(-1);
      const d = isDue(rp.policy.schedule, newest ? new Date(newest.moment) : undefined, opts.now);
      Object.assign(outcome, { due: d.due, reason: d.reason });
      if (d.due) due.push({ rp, outcome });
      else io.progress.info(`${rp.policy.service}: not due (${d.reason})`);
      if (rp.policy.drill.schedule) {
        const last = (await readDrills(siteOf(secondary, io).hdfs, rp.policy.service)).drills.at(-1);
        const dd = isDue(rp.policy.drill.schedule, last ? new Date(last.startedAt) : undefined, opts.now);
        const reason = dd.reason.replace('restore point', 'drill');
        if (dd.due) {
          outcome.drill = { reason, result: 'failed', restorePoint: null };
          drills.push({ rp, outcome });
        } else io.progress.info(`${rp.policy.service}: drill not due (${reason})`);
      }
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      Object.assign(outcome, {
        result: e.exitCode === ExitCode.USAGE ? 'invalid' : 'failed',
        error: e.message,
        reason: 'could not be checked',
      });
    }
  }
  await eachLimited(due, opts.parallel, async ({ rp, outcome }) => {
    io.progress.info(`${rp.policy.service}: due (${outcome.reason})`);
    const report = await backup(rp);
    Object.assign(outcome, { result: report.result, restorePoint: report.restorePoint, report });
    if (report.error) outcome.error = report.error;
    // The policy's syncUsers failing after a good backup fails the run too (the restore point stays).
    const users = report.users;
    if (users?.error && report.result === 'ok') Object.assign(outcome, { result: users.result, error: `sync-users: ${users.error}` });
  });
  // Drills after the backups: a service due for both drills the restore point just made.
  await eachLimited(drills, opts.parallel, async ({ rp, outcome }) => {
    io.progress.info(`${rp.policy.service}: drill due (${outcome.drill!.reason})`);
    const report = await drill(rp);
    Object.assign(outcome.drill!, { result: report.result, restorePoint: report.restorePoint, report });
    if (report.error) outcome.drill!.error = report.error;
  });
  return outcomes;
}

/** 0: every due service ok (or none due); 75: the only trouble was locks; 1: anything else failed. */
export function runDueExitCode(outcomes: DueOutcome[]): number {
  const results = outcomes.flatMap((o) => [o.result, ...(o.drill ? [o.drill.result] : [])]);
  const bad = results.filter((r) => r !== 'ok' && r !== 'skipped' && r !== 'planned');
  if (!bad.length) return ExitCode.OK;
  return bad.every((r) => r === 'locked') ? ExitCode.LOCKED : ExitCode.FAILED;
}
