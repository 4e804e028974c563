import { clustersPair } from '../config/load.js';
import { exitCode } from '../core/outcome.js';
import { init } from '../flows/init/init.js';
import { type CommandEnv, flowIo } from './context.js';

/** Write each site's first identity (its role from the clusters file, epoch 1); --dry-run prints the writes. */
export async function initCommand(opts: { clusters?: string; force?: boolean; dryRun?: boolean }, env: CommandEnv): Promise<number> {
  const pair = clustersPair('init', opts.clusters);
  const report = await init(pair, { force: Boolean(opts.force), dryRun: Boolean(opts.dryRun) }, flowIo(env));
  if (report.error) env.out.error(`init: ${report.error}`);
  if (env.out.json) env.out.printJsonLine(report);
  else {
    for (const s of report.sites)
      env.out.print(`${s.site}: ${s.role} at epoch ${s.epoch}${s.written ? (report.dryRun ? ' (would be written)' : '') : ' already'}`);
    for (const c of report.planned ?? []) env.out.print(`  would ${c.step}: ${c.change}`);
  }
  return exitCode([report.result]);
}
