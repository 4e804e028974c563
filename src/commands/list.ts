import { checkRestorePoints, listRestorePoints } from '../backup/catalog.js';
import { makeSite } from '../backup/context.js';
import { resolvePolicy } from '../config/load.js';
import type { CommandEnv } from './context.js';

export interface ListCommandOptions {
  clusters?: string;
}

/** The service's restore points, from the secondary's catalog. */
export async function listCommand(file: string, opts: ListCommandOptions, env: CommandEnv): Promise<number> {
  const rp = resolvePolicy(file, opts.clusters);
  const site = makeSite(rp.secondary, env, false, []);
  const points = await listRestorePoints(site.hdfs, rp.policy.service);
  const checks = await checkRestorePoints(site.hdfs, points);
  if (env.out.json) {
    env.out.printJson({
      service: rp.policy.service,
      secondary: rp.secondary.name,
      restorePoints: points.map((p, i) => ({ ...p, intact: checks[i]!.intact, missing: checks[i]!.missing })),
    });
    return 0;
  }
  if (!points.length) {
    env.out.print(`${rp.policy.service}: no restore points on ${rp.secondary.name} yet`);
    return 0;
  }
  env.out.print(`${rp.policy.service}: ${points.length} restore point(s) on ${rp.secondary.name}, newest last`);
  env.out.print('RESTORE POINT                          MOMENT                DATA SETS  MODES        BYTES COPIED  WINDOW  STATE');
  for (const [i, p] of points.entries()) {
    const modes = [...new Set(p.datasets.map((d) => d.mode))].join('+');
    const bytes = p.datasets.reduce((n, d) => n + d.bytesCopied, 0);
    const check = checks[i]!;
    const state = check.intact ? 'ok' : env.out.c.red(`INCOMPLETE: missing ${check.missing.join(', ')}`);
    env.out.print(
      `${p.snapshot.padEnd(38)} ${p.moment.padEnd(21)} ${String(p.datasets.length).padEnd(10)} ${modes.padEnd(12)} ${String(bytes).padEnd(13)} ${`${p.consistencyWindowMs} ms`.padEnd(7)} ${state}`,
    );
  }
  return 0;
}
