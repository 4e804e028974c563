// HBase replication as the backup sets it up: what the shell's read says, the cluster key, and what a
// run does from what the sites hold — a bootstrap that loses no edit, nothing when it is in place.
import { describe, expect, it } from 'vitest';
import type { NamedCluster, ResolvedPolicy } from '../../src/config/load.js';
import { ClusterSchema, DatasetSchema, PolicySchema } from '../../src/config/schema.js';
import type { Performer } from '../../src/core/change.js';
import { policyFor } from '../../src/core/context.js';
import { decideReplication, type ReplicationFacts } from '../../src/datasets/hbase/replication.js';
import type { Command, Runner } from '../../src/exec/runner.js';
import { stopReplicationStep } from '../../src/flows/failover/replication.js';
import { clusterKey, parseState, peerId, readScript } from '../../src/hbase/replication.js';
import type { Site } from '../../src/sites/site.js';

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
      'hbackup:sink rs1.example.com,16020,1764637200000 1764640800000',
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
      sinks: [{ server: 'rs1.example.com,16020,1764637200000', lastAppliedWrittenMs: 1764640800000 }],
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

  it("stops the old primary's peers first at a switch of roles, each if it is there; a planned switch stops on a failure", async () => {
    const policy = (service: string, replication: boolean) =>
      ({ policy: PolicySchema.parse({ service, datasets: [{ hbase: 'shop:orders', replication }] }) }) as ResolvedPolicy;
    const services = [policy('orders', true), policy('logs', false), policy('clicks-eu', true)];
    const ran: Command[] = [];
    let exitCode = 0;
    const runner: Runner = async (cmd) => {
      ran.push(cmd);
      return { exitCode, stdout: exitCode ? 'ERROR: the master is not running' : '', stderr: '' };
    };
    const east = { name: 'east', tool: (_: string, args: string[]) => ({ argv: ['/opt/hbase/bin/hbase', ...args] }) } as unknown as Site;
    const p: Performer = { sites: { east }, runner, spawn: () => undefined as never, debug: () => {} };
    const failures: string[] = [];
    const step = stopReplicationStep(east, services, p, (e) => failures.push(e.message))!;
    expect(step.title).toBe('stop replication from east (hbackup_orders, hbackup_clicks_eu)');
    expect(step.changes.map((c) => c.text)).toEqual([
      "/opt/hbase/bin/hbase shell -n <<< remove_peer 'hbackup_orders' if list_peers.any? { |p| p.getPeerId == 'hbackup_orders' }; remove_peer 'hbackup_clicks_eu' if list_peers.any? { |p| p.getPeerId == 'hbackup_clicks_eu' }",
    ]);
    await step.run!();
    expect(ran).toHaveLength(1);
    expect(failures).toEqual([]);
    exitCode = 1;
    await step.run!();
    expect(failures).toEqual(['/opt/hbase/bin/hbase shell exited with 1: ERROR: the master is not running']);
    const planned = stopReplicationStep(east, services, p, (e) => {
      throw e;
    })!;
    await expect(planned.run!()).rejects.toThrow(/the master is not running/);
    expect(stopReplicationStep(east, [policy('logs', false)], p, () => {})).toBeUndefined();
  });

  it('keeps a table replicated once the roles are swapped (the policy seen from the new primary)', () => {
    const east = { ...cluster({}), name: 'east', role: 'primary' } as NamedCluster;
    const west = { ...cluster({}), name: 'west', role: 'secondary' } as NamedCluster;
    const rp = {
      policy: PolicySchema.parse({ service: 'orders', datasets: [{ hbase: 'shop:orders', replication: true }] }),
      pair: [east, west],
    };
    const swapped = policyFor(rp as unknown as ResolvedPolicy, { primary: west, secondary: east, from: 'identity' });
    expect(swapped.datasets).toEqual([{ hbase: 'shop:orders', target: 'shop:orders', replication: true }]);
  });
});
