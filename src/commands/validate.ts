import { Cron } from 'croner';
import { makeSite } from '../backup/context.js';
import { sourceProblem } from '../backup/preflight.js';
import { resolvePolicy } from '../config/load.js';
import { ConfigError, ExitCode, formatProblem, HbackupError } from '../errors.js';
import type { CommandEnv } from './context.js';

export interface ValidateCommandOptions {
  clusters?: string;
  online?: boolean;
}

/** Check policies statically; with --online also that every data set is a snapshottable directory on the primary. */
export async function validateCommand(files: string[], opts: ValidateCommandOptions, env: CommandEnv): Promise<number> {
  let code: number = ExitCode.OK;
  const results: { file: string; ok: boolean; service?: string; problems: string[] }[] = [];
  for (const file of files) {
    try {
      const rp = resolvePolicy(file, opts.clusters);
      const problems: string[] = [];
      if (opts.online) {
        const site = makeSite(rp.primary, env, true, []);
        for (const d of rp.policy.datasets) {
          const problem = sourceProblem(d.hdfs, await site.hdfs.getFileStatus(d.hdfs), rp.primary.name);
          if (problem) problems.push(`${file}: ${problem}`);
        }
        if (problems.length && code === ExitCode.OK) code = ExitCode.PREFLIGHT;
      }
      results.push({ file, ok: problems.length === 0, service: rp.policy.service, problems });
      if (!problems.length) {
        const next = rp.policy.schedule
          ? new Cron(rp.policy.schedule, { timezone: 'UTC', paused: true }).nextRun(env.now())
          : null;
        const when = next ? `, next moment ${next.toISOString().replace(/\.000Z$/, 'Z')}` : ', on demand';
        env.out.print(
          `${file}: ok (service ${rp.policy.service}, ${rp.policy.datasets.length} data set(s), ${rp.primary.name} → ${rp.secondary.name}${when}${opts.online ? ', checked online' : ''})`,
        );
      }
      for (const p of problems) env.out.print(p);
    } catch (e) {
      if (!(e instanceof HbackupError)) throw e;
      const problems = e instanceof ConfigError ? e.problems.map(formatProblem) : [e.message];
      results.push({ file, ok: false, problems });
      for (const p of problems) env.out.print(p);
      code = e.exitCode;
    }
  }
  if (env.out.json) env.out.printJson({ ok: code === ExitCode.OK, results });
  return code;
}
