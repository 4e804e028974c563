/**
 * Which site is the primary and which the secondary, decided in this one place when a command runs:
 * from the identities the sites hold (`hbackup init`, then failover), else — before any identity
 * exists — from the clusters file's `role`. A site that claims primary at a lower epoch than the
 * other is stale: nothing is backed up from or to it until failback.
 */
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { problemAt } from '../config/located.js';
import { CatalogError, ConfigError, HbackupError, PreflightError, UnreachableError } from '../errors.js';
import { describeClaim, readClaims } from '../identity/claim.js';
import { type Identity, type Role, readIdentity } from '../identity/identity.js';
import type { Site } from './site.js';

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

/** Which role each site of a pair holds, and whether it is stale: decided here and nowhere else. */
export interface HeldRole {
  role: Role;
  from: Roles['from'];
  /** It claims primary at a lower epoch than the other site's primary. */
  stale: boolean;
}

/**
 * The roles from the identities the sites hold (null: the site could not be read, so it holds the
 * other role than the one that answers; undefined: it holds none yet, so the clusters file decides).
 * The higher epoch wins; a primary below it is stale, and counts as the secondary.
 */
export function rolesFrom(pair: readonly NamedCluster[], ids: readonly (Identity | null | undefined)[]): HeldRole[] {
  const top = Math.max(...ids.map((i) => i?.epoch ?? 0));
  const known = ids.find(Boolean);
  const all = ids.every(Boolean);
  const other = (r: Role): Role => (r === 'primary' ? 'secondary' : 'primary');
  return pair.map((c, k) => {
    const id = ids[k];
    const role = id ? id.role : known && !all ? other(known.role) : c.role;
    const stale = Boolean(id && id.role === 'primary' && id.epoch < top && ids.some((o) => o && o !== id && o.role === 'primary'));
    return { role: stale ? 'secondary' : role, from: id || known ? 'identity' : 'clusters file', stale };
  });
}

/**
 * The roles the sites hold now, for a flow between them: a stale pair is refused (with what a dead
 * failover left, when that is why), and so is a pair without one primary and one secondary.
 */
export async function currentRoles(rp: Pick<ResolvedPolicy, 'pair' | 'clustersLocated'>, open: (c: NamedCluster) => Site): Promise<Roles> {
  const fromFile = decideRoles(rp);
  const ids: (Identity | undefined | null)[] = await Promise.all(
    rp.pair.map((c) =>
      readIdentity(open(c).hdfs).catch((e: unknown) => {
        if (e instanceof UnreachableError) return null; // down: known from the other site
        // An identity file that cannot be parsed is the catalog's problem (exit 1); a site that
        // answers something other than WebHDFS cannot be used: refused, nothing changed.
        if (e instanceof CatalogError || !(e instanceof HbackupError)) throw e;
        throw new PreflightError([`${c.name} cannot be used: ${e.message}`]);
      }),
    ),
  );
  if (ids.every((i) => !i)) return fromFile;
  const held = rolesFrom(rp.pair, ids);
  const staleAt = held.findIndex((h) => h.stale);
  if (staleAt >= 0) {
    const [stale, winner] = [rp.pair[staleAt]!, rp.pair[1 - staleAt]!];
    const [low, high] = [ids[staleAt]!, ids[1 - staleAt]!];
    // The claims are read only to say why; when they cannot be, the stale site is said as it is.
    const cut = (await readClaims(open(winner).hdfs, new Date()).catch(() => [])).find(
      (c) => c.gone && c.record?.command === 'failover' && c.record.epoch === high.epoch,
    );
    throw new PreflightError([
      cut
        ? `${describeClaim(cut)}: run hbackup failover again to finish it`
        : `${stale.name} is stale: it claims primary at epoch ${low.epoch}, ${winner.name} holds primary at epoch ${high.epoch}; run hbackup failback to bring it back as the secondary`,
    ]);
  }
  const p = held.findIndex((h) => h.role === 'primary');
  const s = held.findIndex((h) => h.role === 'secondary');
  if (p < 0 || s < 0)
    throw new PreflightError([
      `the sites do not hold one primary and one secondary (${rp.pair.map((c, k) => `${c.name}: ${held[k]!.role}`).join(', ')}): see hbackup status`,
    ]);
  return { primary: rp.pair[p]!, secondary: rp.pair[s]!, from: 'identity' };
}
