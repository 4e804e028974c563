import { clustersPair } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { readIdentity, writeIdentity } from '../identity/identity.js';
import { openSite } from '../sites/site.js';
import { type CommandEnv, siteIo } from './context.js';

/**
 * Write the first identities: each site holds its role (from the clusters file) at epoch 1. Sites that
 * hold these roles already are left alone; different ones are only replaced with --force (at the
 * next epoch, so the history keeps what was there).
 */
export async function initCommand(opts: { clusters?: string; force?: boolean }, env: CommandEnv): Promise<number> {
  const pair = clustersPair('init', opts.clusters);
  const sites = pair.map((c) => openSite(c, siteIo(env)));
  const held = await Promise.all(sites.map((s) => readIdentity(s.hdfs)));
  const differs = pair.filter((c, k) => held[k] && held[k]!.role !== c.role);
  if (differs.length && !opts.force) {
    const what = differs.map((c) => `${c.name} holds ${held[pair.indexOf(c)]!.role} at epoch ${held[pair.indexOf(c)]!.epoch}`);
    throw new UsageError(`${what.join('; ')}: not the clusters file's roles; pass --force to replace them`);
  }
  const epoch = Math.max(0, ...held.map((h) => h?.epoch ?? 0)) + (differs.length ? 1 : 0) || 1;
  for (const [k, c] of pair.entries()) {
    if (held[k] && held[k]!.role === c.role && !differs.length) {
      env.out.print(`${c.name}: ${c.role} at epoch ${held[k]!.epoch} already`);
      continue;
    }
    const id = await writeIdentity(
      sites[k]!.hdfs,
      { site: c.name, role: c.role, epoch, reason: opts.force ? 'init --force' : 'init' },
      env.now(),
    );
    env.out.print(`${c.name}: ${id.role} at epoch ${id.epoch}`);
  }
  return ExitCode.OK;
}
