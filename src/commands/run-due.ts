import { policyFiles } from '../config/load.js';
import { UsageError } from '../errors.js';
import { drillService } from '../flows/drill/drill.js';
import { runDue, runDueExitCode } from '../flows/schedule/run-due.js';
import { writeBackupMetrics } from '../metrics/prometheus.js';
import { type CommandEnv, flowIo } from './context.js';
import { backupThenUsers } from './flows.js';

export interface RunDueCommandOptions {
  clusters?: string;
  policies: string;
  now?: string;
  parallel?: string;
  metricsFile?: string;
}

/** Back up every service of a policy directory whose schedule has fired since its newest restore point. */
export async function runDueCommand(opts: RunDueCommandOptions, env: CommandEnv): Promise<number> {
  const now = opts.now === undefined ? env.now() : new Date(opts.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${opts.now}: not a date and time; write e.g. 2026-11-25T02:00:00Z`);
  const parallel = opts.parallel === undefined ? 2 : Number(opts.parallel);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UsageError(`--parallel ${opts.parallel}: give a whole number of services, 1 or more`);
  const files = policyFiles(opts.policies);
  env.out.spinners = false;
  const io = flowIo(env);
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
