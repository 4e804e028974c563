import { resolvePolicy } from '../config/load.js';
import { exitCode } from '../core/outcome.js';
import { verifiedText } from '../datasets/restore.js';
import { UsageError } from '../errors.js';
import { type RestoreReport, restoreService } from '../flows/restore/restore.js';
import { type Output, outcomeWord } from '../output.js';
import { type CommandEnv, flowIo, terminalConfirm } from './context.js';

export interface RestoreCommandOptions {
  clusters?: string;
  point?: string;
  on?: string;
  suffix?: string;
  datasets?: string[];
  dryRun?: boolean;
  yes?: boolean;
}

function printRestore(out: Output, r: RestoreReport): void {
  const head = outcomeWord(out, r.result);
  const what = r.dryRun ? 'dry run: nothing was changed' : r.result === 'ok' ? `restored ${r.restorePoint}` : 'nothing restored';
  out.print(`${r.service}: ${head} — ${what}${r.site ? ` on ${r.site}` : ''} (${(r.durationMs / 1000).toFixed(1)} s)`);
  for (const d of r.datasets) {
    const done = d.verified ? `  verified ${verifiedText(d.verified)}` : '';
    out.print(`  ${d.from} → ${d.to}  ${d.inPlace ? 'in place' : 'beside'}  ${d.method}${done}`);
  }
  if (r.planned) {
    out.print(r.planned.length ? '  would make these changes, in order:' : '  would change nothing');
    for (const p of r.planned) out.print(`    ${p.change}`);
  }
}

/** Bring a restore point back, beside the live data or in place, on the secondary or the primary. */
export async function restoreCommand(file: string, opts: RestoreCommandOptions, env: CommandEnv): Promise<number> {
  const rp = resolvePolicy(file, opts.clusters);
  const on = opts.on ?? 'secondary';
  if (on !== 'secondary' && on !== 'primary') throw new UsageError(`--on ${on}: say secondary or primary`);
  if (opts.suffix !== undefined && !/^[A-Za-z0-9_.-]+$/.test(opts.suffix)) {
    throw new UsageError(`--suffix ${opts.suffix}: use letters, digits, "_", "." or "-" (it ends directory and table names), e.g. _r1`);
  }
  const report = await restoreService(
    rp,
    {
      point: opts.point ?? 'latest',
      on,
      suffix: opts.suffix,
      datasets: opts.datasets,
      dryRun: Boolean(opts.dryRun),
      yes: Boolean(opts.yes),
      confirm: env.confirm ?? terminalConfirm(),
    },
    flowIo(env),
  );
  if (report.error) env.out.error(`${report.service}: ${report.error}`);
  if (env.out.json) env.out.printJsonLine(report);
  else printRestore(env.out, report);
  return exitCode([report.result]);
}
