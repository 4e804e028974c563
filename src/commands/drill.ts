import { resolvePolicy } from '../config/load.js';
import { exitCode } from '../core/outcome.js';
import { type DrillReport, drillService } from '../flows/drill/drill.js';
import { writeDrillMetrics } from '../metrics/prometheus.js';
import { type Output, outcomeWord } from '../output.js';
import { type CommandEnv, flowIo } from './context.js';

export interface DrillCommandOptions {
  clusters?: string;
  point?: string;
  check?: string[];
  keep?: boolean;
  dryRun?: boolean;
  metricsFile?: string;
}

export function printDrill(out: Output, r: DrillReport): void {
  const head = outcomeWord(out, r.result);
  const what = r.dryRun
    ? 'dry run: nothing was changed'
    : `${r.result === 'ok' ? 'restore point' : 'drill of'} ${r.restorePoint ?? '(none)'}${r.result === 'ok' ? ' restores' : ''}`;
  const restore = r.restoreMs === null ? '' : `, restored in ${(r.restoreMs / 1000).toFixed(1)} s`;
  out.print(`${r.service}: ${head} — ${what}${r.site ? ` on ${r.site}` : ''}${restore} (${(r.durationMs / 1000).toFixed(1)} s)`);
  for (const d of r.datasets) {
    out.print(`  ${d.source} → ${d.scratch}  ${d.files} files, ${d.bytes} bytes${d.problems.length ? '  FAILED' : ''}`);
    for (const c of d.checked) out.print(`    checked: ${c}`);
    for (const p of d.problems) out.print(`    problem: ${p}`);
  }
  for (const c of r.checks) out.print(`  check ${c.command}: exit ${c.exitCode ?? '(stopped)'} (${(c.ms / 1000).toFixed(1)} s)`);
  if (r.recorded) out.print(`  recorded in ${r.recorded}${r.kept ? '; scratch copies kept' : ''}`);
  if (r.planned) {
    out.print('  would make these changes, in order:');
    for (const p of r.planned) out.print(`    ${p.step}: ${p.change}`);
  }
}

/** Restore a restore point beside the live data on the secondary, check it, record the result, clean up. */
export async function drillCommand(file: string, opts: DrillCommandOptions, env: CommandEnv): Promise<number> {
  const rp = resolvePolicy(file, opts.clusters);
  const report = await drillService(
    rp,
    { point: opts.point ?? 'latest', checks: opts.check ?? [], keep: Boolean(opts.keep), dryRun: Boolean(opts.dryRun) },
    flowIo(env),
  );
  if (report.error) env.out.error(`${report.service}: ${report.error}`);
  if (opts.metricsFile && !report.dryRun) writeDrillMetrics(opts.metricsFile, [report], env.now());
  if (env.out.json) env.out.printJsonLine(report);
  else printDrill(env.out, report);
  return exitCode([report.result]);
}
