/**
 * How a failover decides, before anything changes: from the sites as they answer now, who is the
 * primary, who takes over, at which epoch, planned or in an emergency — or, when a failover died
 * after its new primary took the primary identity, that this run finishes it.
 */
import type { NamedCluster } from '../../config/load.js';
import { PreflightError } from '../../errors.js';
import { describeClaim } from '../../identity/claim.js';
import type { SiteStatus } from '../../sites/health.js';
import type { claimsNow } from './pair.js';

/** Who is primary, who takes over, at which epoch, and how. Refuses what must not be switched. */
export function decideFailover(sites: SiteStatus[], pair: NamedCluster[], emergency: boolean) {
  if (sites.some((s) => s.stale)) {
    const stale = sites.find((s) => s.stale)!;
    throw new PreflightError([`${stale.site} is stale (an old primary): run hbackup failback before another failover`]);
  }
  const old = sites.find((s) => s.role === 'primary');
  const next = sites.find((s) => s.role === 'secondary');
  if (!old || !next) throw new PreflightError(['the sites do not hold one primary and one secondary: see hbackup status']);
  if (!next.identity) throw new PreflightError([`${next.site} holds no identity: run hbackup init first`]);
  const unfit = [
    !next.reachable && `not reachable (${next.error ?? 'no answer'})`,
    next.reachable && next.namenode.state && next.namenode.state !== 'active' && `its NameNode is ${next.namenode.state}`,
    next.namenode.safemode && 'HDFS is in safe mode',
  ].filter(Boolean);
  if (unfit.length) throw new PreflightError([`${next.site} cannot be promoted: ${unfit.join('; ')}`]);
  const healthy = old.reachable && old.level !== 'CRITICAL';
  const mode: 'planned' | 'emergency' = healthy && !emergency ? 'planned' : 'emergency';
  const why = !old.reachable
    ? `${old.site} does not answer (${old.error ?? 'no answer'})`
    : old.level === 'CRITICAL'
      ? `${old.site} answers but is not healthy`
      : emergency
        ? `--emergency: ${old.site} answers but is treated as failed`
        : `${old.site} is healthy`;
  const epoch = Math.max(...sites.map((s) => s.identity?.epoch ?? 0)) + 1;
  const cluster = (name: string) => pair.find((c) => c.name === name)!;
  return { mode, why, epoch, from: cluster(old.site), to: cluster(next.site), oldReachable: old.reachable, finish: false };
}

export type Decision = ReturnType<typeof decideFailover>;

/**
 * What the claims on the sites say before anything is decided: a live one stops this run (exit 75),
 * a failback cut short must be finished first, and a failover that died after its new primary took
 * the primary identity is finished. Any other is decided anew.
 */
export function finishing(now: ReturnType<typeof claimsNow>, sites: SiteStatus[], pair: NamedCluster[]): Decision | undefined {
  if (now.failback) throw new PreflightError([`${describeClaim(now.failback)}: run hbackup failback again to finish it first`]);
  const r = now.failover?.record;
  if (!now.failover || !r) return undefined;
  const cluster = (name: string) => pair.find((x) => x.name === name)!;
  const from = sites.find((s) => s.site === r.from);
  const mode = r.mode === 'planned' ? 'planned' : 'emergency';
  const why = `finishing ${describeClaim(now.failover)}`;
  return { mode, why, epoch: r.epoch, from: cluster(r.from), to: cluster(r.to), oldReachable: Boolean(from?.reachable), finish: true };
}
