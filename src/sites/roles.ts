/**
 * Which site is the primary and which the secondary, decided in this one place when a command runs:
 * from the identities the sites hold (`hbackup init`, then failover), else — before any identity
 * exists — from the clusters file's `role`. A site that claims primary at a lower epoch than the
 * other is stale: nothing is backed up from or to it until failback.
 */
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { problemAt } from '../config/located.js';
import { CatalogError, ConfigError, HbackupError, PreflightError, UnreachableError } from '../errors.js';
import { type Identity, readIdentity } from '../identity/identity.js';
import { openSite, type SiteIo } from './site.js';

export interface Roles {
  primary: NamedCluster;
  secondary: NamedCluster;
  /** Where the roles came from. */
  from: 'identity' | 'clusters file';
}

/** The roles the clusters file gives (checked: one primary, one secondary). */
export function decideRoles(rp: Pick<ResolvedPolicy, 'pair' | 'clustersLocated'>): Roles {
  const primaries = rp.pair.filter((c) => c.role === 'primary');
  const secondaries = rp.pair.filter((c) => c.role === 'secondary');
  if (primaries.length !== 1 || secondaries.length !== 1) {
    throw new ConfigError(
      rp.pair.map((c) =>
        problemAt(
          rp.clustersLocated,
          ['clusters', c.name, 'role'],
          `the service needs one primary and one secondary; ${rp.pair.map((x) => `${x.name} is ${x.role}`).join(', ')}`,
        ),
      ),
    );
  }
  return { primary: primaries[0]!, secondary: secondaries[0]!, from: 'clusters file' };
}

/**
 * The roles the sites hold. A site that cannot be read (it is down) is taken to hold the other role
 * than the one that answers; when neither holds an identity, the clusters file decides.
 */
export async function currentRoles(rp: Pick<ResolvedPolicy, 'pair' | 'clustersLocated'>, io: SiteIo): Promise<Roles> {
  const fromFile = decideRoles(rp);
  const ids: (Identity | undefined | null)[] = await Promise.all(
    rp.pair.map((c) =>
      readIdentity(openSite(c, io).hdfs).catch((e: unknown) => {
        if (e instanceof UnreachableError) return null; // down: known from the other site
        // An identity file that cannot be parsed is the catalog's problem (exit 1); a site that
        // answers something other than WebHDFS cannot be used: refused, nothing changed.
        if (e instanceof CatalogError || !(e instanceof HbackupError)) throw e;
        throw new PreflightError([`${c.name} cannot be used: ${e.message}`]);
      }),
    ),
  );
  if (ids.every((i) => !i)) return fromFile;
  const [a, b] = rp.pair;
  const [ia, ib] = ids;
  if (ia && ib && ia.role === 'primary' && ib.role === 'primary') {
    const [winner, stale] = ia.epoch > ib.epoch ? [a, b] : [b, a];
    const [high, low] = ia.epoch > ib.epoch ? [ia, ib] : [ib, ia];
    throw new PreflightError([
      `${stale.name} is stale: it claims primary at epoch ${low.epoch}, ${winner.name} holds primary at epoch ${high.epoch}; run hbackup failback to bring it back as the secondary`,
    ]);
  }
  const primaryIndex = ia?.role === 'primary' || ib?.role === 'secondary' ? 0 : 1;
  return { primary: rp.pair[primaryIndex]!, secondary: rp.pair[1 - primaryIndex]!, from: 'identity' };
}
