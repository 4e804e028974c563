import { clustersPair, pairServices } from '../config/load.js';
import { exitCode } from '../core/outcome.js';
import { failback } from '../flows/failover/failback.js';
import { failover } from '../flows/failover/failover.js';
import type { PairFlows, PairReport } from '../flows/failover/pair.js';
import { behind } from '../flows/failover/replicas.js';
import { type Output, outcomeWord } from '../output.js';
import { type CommandEnv, flowIo, terminalConfirm } from './context.js';
import { backupThenUsers } from './flows.js';

export interface PairCommandOptions {
  clusters?: string;
  policies: string;
  yes?: boolean;
  dryRun?: boolean;
  emergency?: boolean;
  replicas?: true | string[];
  switch?: boolean;
}

function printPair(out: Output, r: PairReport): void {
  const head = outcomeWord(out, r.result);
  const roles = !r.from || !r.to ? '' : r.command === 'failover' ? `${r.from} → ${r.to}` : `${r.from} back as the secondary of ${r.to}`;
  const kind = r.mode === 'planned' ? 'a planned switchover' : r.mode === 'emergency' ? 'an emergency promotion' : '';
  const how = kind ? `: ${kind}${r.why ? ` (${r.why})` : ''}` : '';
  out.print(
    `${r.command}: ${head} — ${roles}${r.epoch ? ` at epoch ${r.epoch}` : ''}${how}${r.dryRun ? '; dry run: nothing was changed' : ''}`,
  );
  for (const s of r.services) {
    const stake = s.rpoSeconds !== null && s.rpoSeconds > 0 ? `, ${Math.round(s.rpoSeconds / 60)} min since (RPO)` : '';
    const point = `restore point ${s.restorePoint ?? '(none)'}${s.moment ? ` of ${s.moment}` : ''}${stake}`;
    const live = s.replicas && `the live replicas of ${s.replicas.tables.join(', ')}, ${behind(s.replicas)}, each table on its own`;
    if (!s.restorePoint && r.mode === 'planned') out.print(`  ${s.service}: a last backup first, so nothing is lost`);
    else if (s.replicas?.used) out.print(`  ${s.service}: ${live}; the rest from ${point}`);
    else out.print(`  ${s.service}: ${point}`);
    if (live && !s.replicas?.used) out.print(`    or --replicas: ${live}`);
    for (const d of s.datasets)
      out.print(`    ${d.to}  ${d.method}${d.verified ? `  verified ${d.verified.files} files, ${d.verified.bytes} bytes` : ''}`);
    for (const l of s.lostWrites ?? []) {
      out.print(
        `    ${l.dataset}: ${l.changes.length ? `${l.changes.length} change(s) the new primary never got` : 'nothing lost'}; kept in ${l.quarantine}`,
      );
      for (const c of l.changes.slice(0, 20)) out.print(`      ${c}`);
      if (l.changes.length > 20) out.print(`      … ${l.changes.length - 20} more (--json lists them all)`);
    }
  }
  if (r.planned) {
    out.print(r.planned.length ? '  would make these changes, in order:' : '  would change nothing');
    for (const p of r.planned) out.print(`    ${p.step}: ${p.change}`);
  }
  for (const w of r.warnings) out.handle({ type: 'note', level: 'warn', text: w });
  if (r.endpoint && r.result !== 'failed' && r.result !== 'refused' && r.result !== 'locked') {
    const verb = r.dryRun ? 'would use' : 'use';
    out.print(
      `applications ${verb} ${r.endpoint.site}: fs.defaultFS=${r.endpoint.fsDefaultFS}${r.endpoint.hbaseZookeeperQuorum ? ` hbase.zookeeper.quorum=${r.endpoint.hbaseZookeeperQuorum}` : ''}`,
    );
  }
  if (!r.dryRun && r.result === 'ok') out.print(`done in ${(r.durationMs / 1000).toFixed(1)} s`);
}

async function pairCommand(which: 'failover' | 'failback', opts: PairCommandOptions, env: CommandEnv): Promise<number> {
  const pair = clustersPair(which, opts.clusters);
  const io = flowIo(env);
  const services = pairServices(opts.policies, pair, opts.clusters, (t) => io.progress.warn(t));
  const common = { dryRun: Boolean(opts.dryRun), yes: Boolean(opts.yes), confirm: env.confirm ?? terminalConfirm() };
  // The backups a failover or failback runs are the backup command's, the policy's sync-users included.
  const flows: PairFlows = {
    backup: (rp, o) => backupThenUsers(rp, { ...o, full: false, noFallback: false, checksums: false, allChecksums: false }, io),
  };
  const report =
    which === 'failover'
      ? await failover(pair, services, { ...common, emergency: Boolean(opts.emergency), replicas: opts.replicas }, flows, io)
      : await failback(pair, services, { ...common, switch: Boolean(opts.switch) }, flows, io);
  if (report.error) env.out.error(`${which}: ${report.error}`);
  if (env.out.json) env.out.printJsonLine(report);
  else printPair(env.out, report);
  return exitCode([report.result]);
}

/** Make the secondary the primary: a planned switchover, or an emergency promotion when the primary failed. */
export const failoverCommand = (opts: PairCommandOptions, env: CommandEnv) => pairCommand('failover', opts, env);

/** Bring a stale old primary back as the secondary (its own writes kept in quarantine), and with --switch make it the primary again. */
export const failbackCommand = (opts: PairCommandOptions, env: CommandEnv) => pairCommand('failback', opts, env);
