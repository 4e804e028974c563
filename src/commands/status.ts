import { clustersPair } from '../config/load.js';
import { UsageError } from '../errors.js';
import { duration } from '../flows/report/charts.js';
import { type ServiceStatus, servicesStatus } from '../flows/status/services.js';
import { writeSiteMetrics } from '../metrics/prometheus.js';
import { type Level, type Problem, siteStatuses, worst } from '../sites/health.js';
import type { CommandEnv } from './context.js';

export interface StatusCommandOptions {
  clusters?: string;
  policies?: string;
  timeout?: string;
  metricsFile?: string;
}

const EXIT: Record<Level, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

/** Both sites' health, which one applications should use, and (with --policies) each service's newest restore point. */
export async function statusCommand(opts: StatusCommandOptions, env: CommandEnv): Promise<number> {
  const started = env.now().getTime();
  const pair = clustersPair('status', opts.clusters);
  const timeoutMs = Math.round(Number(opts.timeout ?? '5') * 1000);
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout ${opts.timeout}: give seconds, e.g. 5`);
  const { sites, problems, applicationTarget } = await siteStatuses(pair, { fetch: env.fetch, now: env.now }, timeoutMs, 30_000);

  const { services, problems: more } = opts.policies
    ? await servicesStatus(opts.policies, opts.clusters, sites, {
        fetch: env.fetch,
        runner: env.runner,
        timeoutMs,
        now: env.now,
        stateDir: env.stateDir,
      })
    : { services: [], problems: [] };
  problems.push(...more);
  const level = worst(problems.map((p: Problem) => p.level));
  const report = { level, applicationTarget, durationMs: env.now().getTime() - started, sites, services, problems };
  if (opts.metricsFile)
    writeSiteMetrics(
      opts.metricsFile,
      sites.map((s) => ({ ...s, level: EXIT[s.level] })),
      services.flatMap((v) => (v.replication ? [{ service: v.service, ...v.replication }] : [])),
    );
  if (env.out.json) env.out.printJson(report);
  else {
    const { c } = env.out;
    const paint = (l: Level) => (l === 'OK' ? c.green(l) : l === 'WARNING' ? c.yellow(l) : c.red(l));
    env.out.print(`status: ${paint(level)} — applications: ${applicationTarget ?? 'none (no healthy primary)'} (${report.durationMs} ms)`);
    for (const s of sites) {
      const id = s.identity ? `epoch ${s.identity.epoch}` : 'no identity';
      const facts = s.reachable
        ? [
            `${s.latencyMs} ms`,
            `NameNode ${s.namenode.state ?? '?'}${s.namenode.safemode ? ', safe mode' : ''}`,
            s.datanodes ? `${s.datanodes.live} live / ${s.datanodes.dead} dead DataNode(s)` : null,
            s.hbase ? `HBase master ${s.hbase.activeMaster ? 'active' : 'NOT active'}, ${s.hbase.regionServers} region server(s)` : null,
            s.clockSkewMs !== null ? `clock ±${(s.clockSkewMs / 1000).toFixed(1)} s` : null,
          ]
        : [`not reachable: ${s.error}`];
      env.out.print(
        `  ${s.site.padEnd(10)} ${s.role}${s.stale ? ' (STALE)' : ''} (${id})  ${paint(s.level)}  ${facts.filter(Boolean).join('; ')}`,
      );
    }
    for (const v of services) {
      const age = v.ageSeconds === null ? 'no restore point' : `${v.newestRestorePoint}, ${duration(v.ageSeconds)} old${cycleText(v)}`;
      const d = v.drills;
      const drill = !d
        ? ''
        : d.lastOk
          ? `; drill passed ${d.lastOk.stamp} (${d.lastOk.point}${d.lastOk.restoreSeconds === null ? '' : `, restored in ${d.lastOk.restoreSeconds.toFixed(0)} s`})`
          : '; no drill passed yet';
      env.out.print(
        `  ${v.service.padEnd(10)} ${age}${v.overdue ? c.yellow('  OVERDUE') : ''}${drill}${d?.lastFailed ? c.yellow('  DRILL FAILED') : ''}${replicationText(v.replication)}`,
      );
    }
    for (const p of problems) env.out.print(`  ${paint(p.level)}: ${p.message}`);
  }
  return EXIT[level];
}

/** The cycle that made the newest point, and the schedule's interval when it is seconds or minutes. */
const cycleText = (v: { cycleSeconds: number | null; intervalSeconds?: number }) =>
  v.cycleSeconds === null
    ? ''
    : ` (cycle ${v.cycleSeconds.toFixed(1)} s${v.intervalSeconds !== undefined && v.intervalSeconds < 3600 ? `, every ${v.intervalSeconds} s` : ''})`;

/** A service's replication in a few words: its peer's state, lag and queue. */
const replicationText = (r: ServiceStatus['replication']) =>
  !r
    ? ''
    : `; replication ${r.peer} ${r.state.toUpperCase()}${r.lagSeconds === null ? '' : `, ${r.lagSeconds.toFixed(1)} s behind`}${r.logQueue === null ? '' : `, ${r.logQueue} WAL(s) queued`}`;
