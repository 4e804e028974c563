import { exitCode } from '../core/outcome.js';
import { validatePolicy } from '../flows/validate/validate.js';
import { type CommandEnv, siteIo } from './context.js';

export interface ValidateCommandOptions {
  clusters?: string;
  online?: boolean;
}

/** Check policies statically; with --online also that every data set can be snapshotted on the primary. */
export async function validateCommand(files: string[], opts: ValidateCommandOptions, env: CommandEnv): Promise<number> {
  const results = [];
  for (const file of files) {
    const v = await validatePolicy(file, { clusters: opts.clusters, online: Boolean(opts.online), now: env.now() }, siteIo(env));
    results.push(v);
    if (v.ok && v.summary) {
      const s = v.summary;
      const when = s.nextMoment ? `, next moment ${s.nextMoment}` : ', on demand';
      env.out.print(
        `${file}: ok (service ${v.service}, ${s.datasets} data set(s), ${s.primary} → ${s.secondary}${when}${s.online ? ', checked online' : ''})`,
      );
    }
    for (const p of v.problems) env.out.problem(p);
  }
  const code = exitCode(results.map((r) => r.result));
  if (env.out.json) env.out.printJson({ ok: results.every((r) => r.ok), results });
  return code;
}
