/**
 * Which site is the primary and which the secondary, decided in this one place when a command
 * runs. Today the clusters file's `role` says it; identities held by the clusters themselves
 * will take its place.
 */
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { problemAt } from '../config/located.js';
import { ConfigError } from '../errors.js';

export interface Roles {
  primary: NamedCluster;
  secondary: NamedCluster;
}

export function decideRoles(rp: ResolvedPolicy): Roles {
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
  return { primary: primaries[0]!, secondary: secondaries[0]! };
}
