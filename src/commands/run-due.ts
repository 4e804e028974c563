import { policyFiles } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import type { BackupReport } from '../flows/backup/report.js';
import type { DrillReport } from '../flows/drill/drill.js';
import { drillService } from '../flows/drill/drill.js';
import { runDue, runDueExitCode } from '../flows/schedule/run-due.js';
import { watch } from '../flows/schedule/watch.js';
import { writeBackupMetrics } from '../metrics/prometheus.js';
import { type CommandEnv, flowIo } from './context.js';
import { backupThenUsers } from './flows.js';

export interface RunDueCommandOptions {
  clusters?: string;
  policies: string;
  now?: string;
  parallel?: string;
  metricsFile?: string;
  watch?: boolean;
}

/** Back up every service of a policy directory whose schedule has fired since its newest restore point. */
export async function runDueCommand(opts: RunDueCommandOptions, env: CommandEnv): Promise<number> {
  const now = opts.now === undefined ? env.now() : new Date(opts.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${opts.now}: not a date and time; write e.g. 2026-11-25T02:00:00Z`);
  const parallel = opts.parallel === undefined ? 2 : Number(opts.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UsageError(`--parallel ${opts.parallel}: give a whole number of services, 1 or more`);
  env.out.spinners = false;
  const io = flowIo(env);
  if (opts.watch) return watchCommand(opts, parallel, env);
  const files = policyFiles(opts.policies);
  const backup = { dryRun: false, full: false, noFallback: false, checksums: false, allChecksums: false, adoptTarget: false };
  const drill = { point: 'latest', checks: [], keep: false, dryRun: false };
  const outcomes = await runDue(
    files,
    { clusters: opts.clusters, now, parallel },
    (rp) => backupThenUsers(rp, backup, io),
    (rp) => drillService(rp, drill, io),
    io,
  );
  if (opts.metricsFile) {
    writeBackupMetrics(
      opts.metricsFile,
      outcomes.flatMap((o) => (o.report ? [o.report] : [])),
      env.now(),
      outcomes.flatMap((o) => (o.drill?.report ? [o.drill.report] : [])),
    );
  }
  for (const o of outcomes) if (o.error) env.out.error(`${o.service ?? o.file}: ${o.error}`);
  for (const o of outcomes) if (o.drill?.error) env.out.error(`${o.service ?? o.file}: drill: ${o.drill.error}`);
  if (env.out.json) {
    env.out.printJson({
      now: now.toISOString(),
      services: outcomes.map(({ report: _r, drill: d, ...o }) => {
        if (!d) return o;
        const { report: _d, ...shown } = d;
        return { ...o, drill: shown };
      }),
    });
  } else {
    for (const o of outcomes) {
      const what = o.due
        ? `due (${o.reason}): ${o.result}${o.restorePoint ? `, restore point ${o.restorePoint}` : ''}`
        : `${o.result === 'skipped' ? 'not due' : o.result} (${o.reason})`;
      env.out.print(`${o.service ?? o.file}: ${what}`);
      if (o.drill)
        env.out.print(
          `${o.service}: drill due (${o.drill.reason}): ${o.drill.result}${o.drill.restorePoint ? `, ${o.drill.restorePoint}` : ''}`,
        );
    }
  }
  return runDueExitCode(outcomes);
}

/** Stay up, running what is due, until SIGTERM or SIGINT (exit 0); one line (or JSON line) per run, metrics after each. */
async function watchCommand(opts: RunDueCommandOptions, parallel: number, env: CommandEnv): Promise<number> {
  if (opts.now !== undefined) throw new UsageError('--now and --watch do not go together: --watch runs on the clock');
  policyFiles(opts.policies); // a directory that cannot be read is bad input, said at once
  let stop = false;
  let wake: (() => void) | undefined;
  const io = flowIo(env);
  // Said on the log (stderr): standard output carries only the runs' lines, JSON lines under --json.
  const onSignal = (signal: string) => {
    if (!stop) io.progress.info(`${signal}: starting nothing new; waiting for the runs under way`);
    stop = true;
    wake?.();
  };
  const term = () => onSignal('SIGTERM');
  const int = () => onSignal('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  const backupOptions = { dryRun: false, full: false, noFallback: false, checksums: false, allChecksums: false, adoptTarget: false };
  const drillOptions = { point: 'latest', checks: [], keep: false, dryRun: false };
  try {
    await watch(
      opts.policies,
      { clusters: opts.clusters, parallel, tickMs: 1000 },
      (rp) => backupThenUsers(rp, backupOptions, io),
      (rp) => drillService(rp, drillOptions, io),
      {
        ...io,
        sleep: (ms) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(resolve, ms);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          }),
        stopped: () => stop,
      },
      (run) => {
        if (opts.metricsFile) {
          const backups = run.what === 'backup' ? [run.report as BackupReport] : [];
          const drills = run.what === 'drill' ? [run.report as DrillReport] : [];
          try {
            writeBackupMetrics(opts.metricsFile, backups, env.now(), drills);
          } catch (e) {
            env.out.error((e as Error).message);
          }
        }
        const took = `${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s`;
        if (env.out.json) env.out.printJsonLine({ ...run, report: undefined });
        else
          env.out.print(
            `${run.service}: ${run.what} ${run.result}${run.restorePoint ? `, ${run.restorePoint}` : ''} (${took})` +
              (run.error ? `: ${run.error}` : '') +
              (run.retryAt ? `; tried again at ${new Date(run.retryAt).toISOString()}` : ''),
          );
      },
    );
  } finally {
    process.off('SIGTERM', term);
    process.off('SIGINT', int);
  }
  // Stopped as asked: a service that failed meanwhile was said, and is in the metrics.
  return ExitCode.OK;
}
