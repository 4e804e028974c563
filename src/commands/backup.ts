import { makeContext } from '../backup/context.js';
import { runBackup, type BackupReport } from '../backup/run.js';
import { resolvePolicy } from '../config/load.js';
import { ExitCode, HbackupError } from '../errors.js';
import type { CommandEnv } from './context.js';

export interface BackupCommandOptions {
  clusters?: string;
  dryRun?: boolean;
  full?: boolean;
  fallback?: boolean;
  checksums?: boolean;
  adoptTarget?: boolean;
}

function printHuman(env: CommandEnv, r: BackupReport): void {
  const { out } = env;
  const head = r.result === 'ok' ? out.c.green('ok') : out.c.red('FAILED');
  const what = r.dryRun ? 'dry run, nothing changed' : r.restorePoint ? `restore point ${r.restorePoint}` : 'no new restore point';
  const window = r.consistencyWindowMs === null ? '' : `, window ${r.consistencyWindowMs} ms`;
  out.print(`${r.service}: ${head} — ${what} (${r.datasets.length} data set(s)${window}, ${(r.durationMs / 1000).toFixed(1)} s)`);
  for (const d of r.datasets) {
    const copied = r.dryRun || r.result !== 'ok' ? d.reason : `${d.filesCopied} file(s), ${d.bytesCopied} bytes`;
    out.print(`  ${d.source} → ${d.target}  ${d.mode}  ${copied}${d.fallbackReason ? `  (${d.fallbackReason})` : ''}`);
  }
  if (r.planned) {
    out.print('  would run, in order:');
    for (const p of r.planned) out.print(`    ${p}`);
  }
}

/** Back up each policy's service; each its own moment and run, side by side. */
export async function backupCommand(files: string[], opts: BackupCommandOptions, env: CommandEnv): Promise<number> {
  const resolved = files.map((f) => resolvePolicy(f, opts.clusters));
  env.out.spinners = resolved.length === 1;
  const results = await Promise.allSettled(
    resolved.map((rp) =>
      runBackup(
        makeContext(
          rp,
          { dryRun: Boolean(opts.dryRun), full: Boolean(opts.full), noFallback: opts.fallback === false, checksums: Boolean(opts.checksums), adoptTarget: Boolean(opts.adoptTarget) },
          env,
        ),
      ),
    ),
  );
  let code: number = ExitCode.OK;
  for (const [i, r] of results.entries()) {
    const report: BackupReport | undefined = r.status === 'fulfilled' ? r.value : (r.reason as { report?: BackupReport }).report;
    if (r.status === 'rejected') {
      const err = r.reason as Error;
      if (code === ExitCode.OK) code = err instanceof HbackupError ? err.exitCode : ExitCode.FAILED;
      env.out.info(env.out.c.red(`${resolved[i]!.policy.service}: ${err.message}`));
      if (!(err instanceof HbackupError) && env.out.verbose) env.out.info(err.stack ?? '');
    }
    if (report) {
      if (env.out.json) env.out.printJsonLine(report);
      else printHuman(env, report);
    }
  }
  return code;
}
