/**
 * HBase names: tables (`namespace:qualifier`), where a site keeps them in HDFS, and the snapshot
 * names of a run (HBase snapshot names are cluster-wide: one per table and moment).
 */
import type { NamedCluster } from '../config/load.js';

export interface TableName {
  namespace: string;
  qualifier: string;
}

/** `orders:events` → {orders, events}; `events` → {default, events}. */
export function parseTable(full: string): TableName {
  const i = full.indexOf(':');
  return i < 0 ? { namespace: 'default', qualifier: full } : { namespace: full.slice(0, i), qualifier: full.slice(i + 1) };
}

/** The snapshot of `table` taken at a run's moment: `hb-<service>-<stamp>.<namespace>.<qualifier>`. */
export const tableSnapshotName = (runSnapshot: string, table: string): string => {
  const t = parseTable(table);
  return `${runSnapshot}.${t.namespace}.${t.qualifier}`;
};

/** The stamp of one of this service's snapshots of `table`, or undefined for any other snapshot. */
export function stampOfTableSnapshot(service: string, table: string, name: string): string | undefined {
  const t = parseTable(table);
  const m = new RegExp(`^hb-${service}-(\\d{8}T\\d{6}Z)\\.(.*)$`).exec(name);
  return m && m[2] === `${t.namespace}.${t.qualifier}` ? m[1] : undefined;
}

/** The HDFS path of a site's HBase root directory (`hbase.rootdir` in the clusters file), or undefined. */
export function rootPath(cluster: NamedCluster): string | undefined {
  const uri = cluster.hbase?.rootdir;
  if (!uri) return undefined;
  const m = /^[a-z]+:\/\/[^/]*(\/.*)?$/.exec(uri);
  return (m ? (m[1] ?? '/') : uri).replace(/\/+$/, '') || '/';
}

/** What to say when a site's hbase.rootdir is not in the clusters file. */
export const rootdirMissing = (cluster: NamedCluster): string =>
  `clusters.${cluster.name}.hbase.rootdir is not set: give ${cluster.name}'s hbase.rootdir (e.g. ${cluster.fs.replace(/\/$/, '')}/hbase) to back up and restore HBase tables`;

/** Where HBase keeps a table's files, and its completed and in-progress snapshots. */
export const tableDir = (root: string, table: string) => {
  const t = parseTable(table);
  return `${root}/data/${t.namespace}/${t.qualifier}`;
};
export const snapshotsDir = (root: string) => `${root}/.hbase-snapshot`;
export const partialSnapshotsDir = (root: string) => `${root}/.hbase-snapshot/.tmp`;

/** A Ruby single-quoted string for the HBase shell. */
export const rubyString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
