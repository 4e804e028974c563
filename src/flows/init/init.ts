/**
 * `init`: each site's first identity — its role from the clusters file, at epoch 1. Sites that hold
 * these roles already are left alone; different ones are replaced only when forced, at the next
 * epoch (so the history keeps what was there). Plan → (dry run: the plan) → the identity writes.
 */
import type { NamedCluster } from '../../config/load.js';
import { httpChange } from '../../core/change.js';
import { type FlowIo, openPair } from '../../core/context.js';
import type { Outcome } from '../../core/outcome.js';
import { runFlow } from '../../core/run.js';
import { planOf, runSteps, type ShownChange, type Step } from '../../core/steps.js';
import { UsageError } from '../../errors.js';
import { identityRecord, identityWrites, readIdentity, writeIdentity } from '../../identity/identity.js';

export interface InitReport {
  command: 'init';
  result: Outcome;
  dryRun: boolean;
  /** Per site: the identity it holds at the end (or would), and whether this run writes it. */
  sites: { site: string; role: string; epoch: number; written: boolean }[];
  planned?: ShownChange[];
  made?: ShownChange[];
  durationMs: number;
  error?: string;
}

export async function init(pair: [NamedCluster, NamedCluster], opts: { force: boolean; dryRun: boolean }, io: FlowIo): Promise<InitReport> {
  const report: InitReport = { command: 'init', result: 'failed', dryRun: opts.dryRun, sites: [], durationMs: 0 };
  return runFlow(report, io, async () => {
    const p = openPair(pair, io);
    const held = await Promise.all(pair.map((c) => readIdentity(p.site(c.name).hdfs)));
    const differs = pair.filter((c, k) => held[k] && held[k]!.role !== c.role);
    if (differs.length && !opts.force) {
      const what = differs.map((c) => `${c.name} holds ${held[pair.indexOf(c)]!.role} at epoch ${held[pair.indexOf(c)]!.epoch}`);
      throw new UsageError(`${what.join('; ')}: not the clusters file's roles; pass --force to replace them`);
    }
    const epoch = Math.max(0, ...held.map((h) => h?.epoch ?? 0)) + (differs.length ? 1 : 0) || 1;
    const steps: Step[] = [];
    for (const [k, c] of pair.entries()) {
      const h = held[k];
      if (h && h.role === c.role && !differs.length) {
        report.sites.push({ site: c.name, role: h.role, epoch: h.epoch, written: false });
        continue;
      }
      const site = p.site(c.name);
      const change = { site: c.name, role: c.role, epoch, reason: opts.force ? 'init --force' : 'init' };
      const data = `${JSON.stringify(identityRecord(change, io.now()), null, 2)}\n`;
      report.sites.push({ site: c.name, role: c.role, epoch, written: true });
      steps.push({
        id: `identity ${c.name}`,
        title: `identity: ${c.name} ${c.role} at epoch ${epoch}`,
        changes: identityWrites(change).map((r) => httpChange(site, r, r.op === 'CREATE' ? data : undefined)),
        run: async () => void (await writeIdentity(site.hdfs, change, io.now())),
      });
    }
    if (opts.dryRun) {
      report.planned = planOf(steps);
      return 'planned';
    }
    report.made = [];
    await runSteps(steps, { performer: p, progress: io.progress, made: report.made, done: new Set(), record: async () => undefined });
    return 'ok';
  });
}
