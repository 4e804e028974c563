/**
 * Replication at a switch of roles: the old primary's peers towards the other site are removed
 * before anything else (an old primary that returns must not ship its unshipped edits into the new
 * one). A failback's copy forward then sets replication up in the new direction, as any backup does.
 */
import type { ResolvedPolicy } from '../../config/load.js';
import { type Change, type Performer, perform, shellChange } from '../../core/change.js';
import type { Step } from '../../core/steps.js';
import { replicatedTables } from '../../datasets/hbase/replication.js';
import { peerId, replicationStatements } from '../../hbase/replication.js';
import type { Site } from '../../sites/site.js';

/** The peers of the services that replicate HBase tables. */
export const peersOf = (services: ResolvedPolicy[]): string[] =>
  services.filter((rp) => replicatedTables(rp.policy).length).map((rp) => peerId(rp.policy.service));

/**
 * The step that removes the services' peers on `site`, each if it is there; none without peers.
 * `onFailure` says what a failure does (a planned switch stops; an emergency one warns and goes on).
 */
export function stopReplicationStep(site: Site, services: ResolvedPolicy[], p: Performer, onFailure: (e: Error) => void): Step | undefined {
  const peers = peersOf(services);
  if (!peers.length) return undefined;
  const change: Change = shellChange(site, peers.map(replicationStatements.removePeerIfThere));
  return {
    id: `stop replication ${site.name}`,
    title: `stop replication from ${site.name} (${peers.join(', ')})`,
    changes: [change],
    run: async () => {
      await perform(p, change).catch(onFailure);
      return [change];
    },
  };
}
