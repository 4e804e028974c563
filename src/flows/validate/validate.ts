/**
 * Validating policies: statically (the file, its clusters file, the roles), and with `online`
 * also that every data set can be backed up from the primary. Read-only.
 */

import { resolvePolicy } from '../../config/load.js';
import { nextSlot } from '../../config/schedule.js';
import { type Outcome, outcomeOf } from '../../core/outcome.js';
import { expandSpecs, kindOf, specsOf } from '../../datasets/index.js';
import { ConfigError, formatProblem, HbackupError, UnreachableError } from '../../errors.js';
import { currentRoles, decideRoles } from '../../sites/roles.js';
import { openSite, type SiteIo } from '../../sites/site.js';

export interface Validation {
  file: string;
  result: Outcome;
  ok: boolean;
  service?: string;
  /** Set when the policy is valid. */
  summary?: { datasets: number; primary: string; secondary: string; nextMoment: string | null; online: boolean };
  problems: string[];
}

export async function validatePolicy(
  file: string,
  opts: { clusters?: string | undefined; online: boolean; now: Date },
  io: SiteIo,
): Promise<Validation> {
  try {
    const rp = resolvePolicy(file, opts.clusters);
    const roles = opts.online ? await currentRoles(rp, (c) => openSite(c, io)) : decideRoles(rp);
    const problems: string[] = [];
    let datasets = rp.policy.datasets.length;
    if (opts.online) {
      const primary = openSite(roles.primary, io);
      const specs = await expandSpecs(primary, specsOf(rp.policy.datasets));
      datasets = specs.length;
      for (const spec of specs) {
        const problem = await kindOf(spec.type).sourceProblem(primary, spec, true);
        if (problem) problems.push(`${file}: ${problem}`);
      }
    }
    const next = rp.policy.schedule ? (nextSlot(rp.policy.schedule, opts.now) ?? null) : null;
    return {
      file,
      result: problems.length ? 'refused' : 'ok',
      ok: problems.length === 0,
      service: rp.policy.service,
      summary: {
        datasets,
        primary: roles.primary.name,
        secondary: roles.secondary.name,
        nextMoment: next ? next.toISOString().replace(/\.000Z$/, 'Z') : null,
        online: opts.online,
      },
      problems,
    };
  } catch (e) {
    if (!(e instanceof HbackupError)) throw e;
    // An unreachable cluster is a refusal here as in backup (exit 3), not a failure.
    const result = e instanceof UnreachableError ? 'refused' : outcomeOf(e);
    const { message } = e as Error;
    const problems =
      e instanceof ConfigError ? e.problems.map(formatProblem) : [message.startsWith(`${file}:`) ? message : `${file}: ${message}`];
    return { file, result, ok: false, problems };
  }
}
