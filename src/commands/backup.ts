import { resolvePolicy } from '../config/load.js';
import { exitCode } from '../core/outcome.js';
import { UsageError } from '../errors.js';
import type { BackupOptions } from '../flows/backup/backup.js';
import { printReport } from '../flows/backup/report.js';
import { printUsers } from '../flows/users/report.js';
import { writeBackupMetrics } from '../metrics/prometheus.js';
import { type CommandEnv, flowIo } from './context.js';
import { backupThenUsers } from './flows.js';

export interface BackupCommandOptions {
  clusters?: string;
  dryRun?: boolean;
  full?: boolean;
  fallback?: boolean;
  /** true (or "changed"): checksum what changed; "all": every file. */
  checksums?: boolean | string;
  adoptTarget?: boolean;
  metricsFile?: string;
}

/** Back up each policy's service, side by side, each with its own moment; one report per service. */
export async function backupCommand(files: string[], opts: BackupCommandOptions, env: CommandEnv): Promise<number> {
  // Every policy is checked before any service runs: bad input changes nothing.
  const resolved = files.map((f) => resolvePolicy(f, opts.clusters));
  for (const [k, rp] of resolved.entries()) {
    const first = resolved.findIndex((o) => o.policy.service === rp.policy.service);
    if (first < k) throw new UsageError(`${files[first]} and ${files[k]} are both service ${rp.policy.service}: name each service once`);
  }
  if (typeof opts.checksums === 'string' && opts.checksums !== 'all' && opts.checksums !== 'changed')
    throw new UsageError(`--checksums ${opts.checksums}: say all, or changed (the default)`);
  const options: BackupOptions = {
    dryRun: Boolean(opts.dryRun),
    full: Boolean(opts.full),
    noFallback: opts.fallback === false,
    checksums: Boolean(opts.checksums),
    allChecksums: opts.checksums === 'all',
    adoptTarget: Boolean(opts.adoptTarget),
  };
  env.out.spinners = resolved.length === 1;
  const reports = await Promise.all(resolved.map((rp) => backupThenUsers(rp, options, flowIo(env))));
  if (opts.metricsFile && !options.dryRun) writeBackupMetrics(opts.metricsFile, reports, env.now());
  for (const r of reports) {
    if (r.error) env.out.error(`${r.service}: ${r.error}`);
    if (r.users?.error) env.out.error(`${r.service}: sync-users: ${r.users.error}`);
    if (env.out.json) env.out.printJsonLine(r);
    else {
      printReport(env.out, r);
      if (r.users) printUsers(env.out, r.users, '  ');
    }
  }
  return exitCode(reports.flatMap((r) => [r.result, ...(r.users ? [r.users.result] : [])]));
}
