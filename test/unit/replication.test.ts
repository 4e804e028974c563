// HBase replication as the backup sets it up: what the shell's read says, the cluster key, and what a
// run does from what the sites hold — a bootstrap that loses no edit, nothing when it is in place.
import { describe, expect, it } from 'vitest';
import type { NamedCluster } from '../../src/config/load.js';
import { ClusterSchema, DatasetSchema } from '../../src/config/schema.js';
import { decideReplication, type ReplicationFacts } from '../../src/datasets/hbase/replication.js';
import { clusterKey, parseState, peerId, readScript } from '../../src/hbase/replication.js';

const cluster = (hbase: Record<string, string>): NamedCluster => ({
  ...ClusterSchema.parse({ role: 'secondary', webhdfs: 'http://nn:9870', fs: 'hdfs://w', hbase }),
  name: 'west',
});

const facts = (over: Partial<ReplicationFacts> = {}): ReplicationFacts => ({
  peer: 'hbackup_orders',
  key: 'zk1,zk2:2181:/hbase',
  tables: ['shop:orders', 'default:events'],
  peers: [],
  scopes: [
    { table: 'shop:orders', families: [{ name: 'f', scope: 0 }] },
    {
      table: 'default:events',
      families: [
        { name: 'a', scope: 1 },
        { name: 'b', scope: 0 },
      ],
    },
  ],
  replicas: new Set(),
  namespaces: new Set(['default']),
  runSnapshot: 'hb-orders-20261202T010000Z',
  ...over,
});

describe('HBase replication', () => {
  it('names one peer per service, and the cluster key from the clusters file', () => {
    expect(peerId('orders-eu')).toBe('hbackup_orders_eu');
    expect(clusterKey(cluster({ zookeeper: 'zk1:2181,zk2:2181' }))).toBe('zk1,zk2:2181:/hbase');
    expect(clusterKey(cluster({ zookeeper: 'zk1', znodeParent: '/hbase-secure' }))).toBe('zk1:2181:/hbase-secure');
    expect(clusterKey(cluster({ zookeeper: 'zk1:2181,zk2:2182' }))).toBeUndefined();
    expect(clusterKey(cluster({}))).toBeUndefined();
  });

  it("reads the peers, the families of the tables asked for and the region servers' sources, in one shell", () => {
    expect(readScript(['shop:orders'])).toContain("['shop:orders'].each do |name|");
    const out = [
      'hbase:001:0> puts something',
      'hbackup:peer hbackup_orders DISABLED true zk1,zk2:2181:/hbase shop:orders,default:events',
      'hbackup:peer other ENABLED false zk9:2181:/hbase *',
      'hbackup:family shop:orders f 1',
      'hbackup:missing default:events',
      'hbackup:source rs1.example.com,16020,1764637200000 hbackup_orders 1200 3400 2',
      'hbackup:read',
    ].join('\n');
    expect(parseState(out, ['shop:orders', 'default:events'])).toEqual({
      peers: [
        {
          id: 'hbackup_orders',
          enabled: false,
          serial: true,
          clusterKey: 'zk1,zk2:2181:/hbase',
          tables: ['shop:orders', 'default:events'],
        },
        { id: 'other', enabled: true, serial: false, clusterKey: 'zk9:2181:/hbase', tables: undefined },
      ],
      tables: [
        { table: 'shop:orders', families: [{ name: 'f', scope: 1 }] },
        { table: 'default:events', families: undefined },
      ],
      sources: [
        { server: 'rs1.example.com,16020,1764637200000', peer: 'hbackup_orders', ageOfLastShippedOpMs: 1200, lagMs: 3400, logQueue: 2 },
      ],
    });
  });

  it('bootstraps without losing an edit: peer added disabled and families scoped before the moment; replicas cloned, then the peer enabled', () => {
    const d = decideReplication(facts());
    expect(d.bootstrap).toEqual(['shop:orders', 'default:events']);
    expect(d.before).toEqual([
      "add_peer 'hbackup_orders', CLUSTER_KEY => 'zk1,zk2:2181:/hbase', TABLE_CFS => { 'shop:orders' => [], 'default:events' => [] }, SERIAL => true, STATE => 'DISABLED'",
      "alter 'shop:orders', {NAME => 'f', REPLICATION_SCOPE => 1}",
      "alter 'default:events', {NAME => 'b', REPLICATION_SCOPE => 1}",
    ]);
    expect(d.clones).toEqual([
      "create_namespace 'shop'",
      "clone_snapshot 'hb-orders-20261202T010000Z.shop.orders', 'shop:orders', {RESTORE_ACL => true}",
      "clone_snapshot 'hb-orders-20261202T010000Z.default.events', 'default:events', {RESTORE_ACL => true}",
    ]);
    expect(d.enable).toBe(true);
  });

  it('changes nothing when the peer, scopes and replicas are in place; enables a peer found disabled', () => {
    const peer = { id: 'hbackup_orders', enabled: true, serial: true, clusterKey: 'zk1,zk2:2181:/hbase', tables: ['shop:orders'] };
    const inPlace = facts({
      tables: ['shop:orders'],
      peers: [peer],
      scopes: [{ table: 'shop:orders', families: [{ name: 'f', scope: 1 }] }],
      replicas: new Set(['shop:orders']),
    });
    expect(decideReplication(inPlace)).toEqual({ bootstrap: [], reason: 'in place', before: [], clones: [], enable: false });
    const disabled = decideReplication({ ...inPlace, peers: [{ ...peer, enabled: false }] });
    expect(disabled).toMatchObject({ bootstrap: [], before: [], clones: [], enable: true });
    expect(disabled.reason).toBe('peer hbackup_orders was disabled: the edits queued since are shipped');
  });

  it('joins a table added later to the same peer, disabled meanwhile; a replica that missed edits is made again', () => {
    const peer = { id: 'hbackup_orders', enabled: true, serial: true, clusterKey: 'zk1,zk2:2181:/hbase', tables: ['shop:orders'] };
    const d = decideReplication(
      facts({
        peers: [peer],
        scopes: [
          { table: 'shop:orders', families: [{ name: 'f', scope: 1 }] },
          { table: 'default:events', families: [{ name: 'a', scope: 1 }] },
        ],
        replicas: new Set(['shop:orders', 'default:events']),
      }),
    );
    expect(d.bootstrap).toEqual(['default:events']);
    expect(d.reason).toBe('default:events joins the peer');
    expect(d.before).toEqual(["disable_peer 'hbackup_orders'", "append_peer_tableCFs 'hbackup_orders', { 'default:events' => [] }"]);
    expect(d.clones).toEqual([
      "disable 'default:events' if is_enabled('default:events')",
      "drop 'default:events'",
      "clone_snapshot 'hb-orders-20261202T010000Z.default.events', 'default:events', {RESTORE_ACL => true}",
    ]);
    expect(d.enable).toBe(true);
  });

  it('is for HBase tables only, and ships to the table of the same name', () => {
    expect(DatasetSchema.safeParse({ hbase: 'shop:orders', replication: true }).success).toBe(true);
    const hdfs = DatasetSchema.safeParse({ hdfs: '/data', replication: true });
    expect(hdfs.error?.issues[0]?.message).toBe('replication is for HBase tables (hbase: namespace:table)');
    const renamed = DatasetSchema.safeParse({ hbase: 'shop:orders', target: 'dr:orders', replication: true });
    expect(renamed.error?.issues[0]?.message).toContain('leave out target');
  });
});
