import { clustersPair, pairServices } from '../config/load.js';
import { UsageError } from '../errors.js';
import { doctor } from '../flows/doctor/doctor.js';
import type { CommandEnv } from './context.js';

/** Check a clusters file against its clusters: one line per finding, with its fix. Exit 0 ok, 1 warnings, 2 failures. */
export async function doctorCommand(
  opts: { clusters?: string | undefined; timeout: string; policies?: string },
  env: CommandEnv,
): Promise<number> {
  const clustersFile = opts.clusters ?? process.env.HBACKUP_CLUSTERS;
  if (!clustersFile) throw new UsageError('doctor: give --clusters FILE or set HBACKUP_CLUSTERS');
  const seconds = Number(opts.timeout);
  if (!(seconds > 0)) throw new UsageError(`doctor: --timeout ${opts.timeout} is not a number of seconds`);
  const services = opts.policies
    ? pairServices(opts.policies, clustersPair('doctor', clustersFile), clustersFile, (t) =>
        env.out.handle({ type: 'note', level: 'warn', text: t }),
      )
    : [];
  const report = await doctor(
    clustersFile,
    { fetch: env.fetch, putData: env.putData, runner: env.runner, now: env.now, timeoutMs: seconds * 1000 },
    services,
  );
  if (env.out.json) env.out.printJsonLine(report);
  else {
    const mark = { ok: env.out.c.green('ok  '), warn: env.out.c.yellow('WARN'), fail: env.out.c.red('FAIL') };
    for (const f of report.findings) env.out.print(`${mark[f.level]} ${f.site} ${f.check}: ${f.text}${f.fix ? ` — fix: ${f.fix}` : ''}`);
    const counts = (['fail', 'warn'] as const).map(
      (l) => `${report.findings.filter((f) => f.level === l).length} ${l === 'fail' ? 'failure(s)' : 'warning(s)'}`,
    );
    env.out.print(
      `doctor: ${report.result === 'ok' ? env.out.c.green('ok') : report.result === 'warn' ? env.out.c.yellow('warnings') : env.out.c.red('failures')} — ${counts.join(', ')}`,
    );
  }
  return { ok: 0, warn: 1, fail: 2 }[report.result];
}
