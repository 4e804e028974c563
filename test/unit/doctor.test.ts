// What doctor makes of the versions it read: each site's tools against its NameNode, and the two
// sites against each other; a probe that cannot be removed; a metrics file that cannot be read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedPolicy } from '../../src/config/load.js';
import { ClusterSchema, PolicySchema } from '../../src/config/schema.js';
import type { Runner } from '../../src/exec/runner.js';
import { versionFindings } from '../../src/flows/doctor/doctor.js';
import { replicationFindings } from '../../src/flows/doctor/replication.js';
import { writeBackupMetrics } from '../../src/metrics/prometheus.js';
import { world } from '../fakes/world.js';

describe('doctor: versions', () => {
  it('finds nothing to say when both sites and their tools run the same major version', () => {
    expect(versionFindings({ east: { namenode: '3.3.5', hadoop: '3.3.6' }, west: { namenode: '3.4.1', hadoop: '3.4.1' } })).toEqual([]);
  });

  it('warns of tools of another major version, and of sites of different majors; fails a Hadoop without -diff', () => {
    const found = versionFindings({ east: { namenode: '3.3.5', hadoop: '2.10.2' }, west: { namenode: '2.6.0' } });
    expect(found.map((f) => `${f.level} ${f.site}: ${f.text}`)).toEqual([
      'warn east: its tools are Hadoop 2.10.2, its NameNode Hadoop 3.3.5',
      'fail west: Hadoop 2.6.0 has no DistCp -diff (incremental copies need 2.7 or later)',
      expect.stringMatching(/^warn \*: the sites run different Hadoop major versions \(east 3\.3\.5, west 2\.6\.0\)/),
    ]);
    expect(found.every((f) => f.fix)).toBe(true);
  });
});

describe('doctor: its probe', () => {
  it('says so, with the commands to run, when the probe it wrote cannot be removed again', async () => {
    const w = world();
    w.west.intercept = (method, op) =>
      method === 'PUT' && op === 'DISALLOWSNAPSHOT'
        ? { status: 403, body: { RemoteException: { exception: 'AccessControlException', message: 'Permission denied' } } }
        : undefined;
    const r = await w.cli('--json', '--clusters', w.clustersFile, 'doctor');
    const findings = JSON.parse(r.stdout).findings as { site: string; check: string; level: string; text: string; fix?: string }[];
    const probe = findings.filter((f) => f.check === 'probe');
    expect(probe).toEqual([
      expect.objectContaining({
        site: 'west',
        level: 'warn',
        text: expect.stringMatching(/^as hdfs, could not disallow snapshots of the probe \/\.hbackup\/doctor-\S+: .*Permission denied/),
        fix: expect.stringMatching(
          /^remove it as the HDFS superuser: hdfs dfsadmin -disallowSnapshot \/\.hbackup\/doctor-\S+; hdfs dfs -rm -r /,
        ),
      }),
    ]);
    // east's probe went as it came.
    expect([...(w.east.lookup('/.hbackup') as any).children.keys()].filter((n: string) => n.startsWith('doctor-'))).toEqual([]);
  });
});

describe('metrics file', () => {
  it('is not rewritten when it cannot be read: the other services would lose their series', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-metrics-'));
    expect(() => writeBackupMetrics(dir, [], new Date())).toThrow(/^cannot read the metrics file .* \(EISDIR\); .*not rewritten/);
  });
});

describe('doctor --policies: replication', () => {
  const conf: Record<string, Record<string, string>> = {
    east: { 'hbase.replication.source.maxthreads': '10' },
    west: { 'hbase.replication': 'false', 'hbase.replication.bulkload.enabled': 'true' },
  };
  // An HBase master's /conf as JSON: every setting, defaults included (HBase 2 has no hbase.replication).
  const fetch = (async (url: string) => {
    const site = /^http:\/\/(\w+):16010\/conf\?format=json$/.exec(url)![1]!;
    return new Response(
      JSON.stringify({ properties: Object.entries(conf[site]!).map(([key, value]) => ({ key, value, isFinal: false })) }),
    );
  }) as unknown as typeof globalThis.fetch;
  const cluster = (name: string, zookeeper: string) => ({
    ...ClusterSchema.parse({
      role: name === 'east' ? 'primary' : 'secondary',
      webhdfs: `http://${name}:9870`,
      fs: `hdfs://${name}`,
      tools: { hbase: `/opt/${name}/bin/hbase` },
      hbase: { zookeeper, masterInfo: `http://${name}:16010` },
    }),
    name,
  });
  const services = (zk: string, bulkLoads: boolean) => {
    const pair = [cluster('east', '127.0.0.1:2181'), cluster('west', zk)];
    const policy = PolicySchema.parse({
      service: 'orders',
      datasets: [{ hbase: 'shop:orders', replication: true }],
      replication: { bulkLoads },
    });
    return [{ policy, pair } as unknown as ResolvedPolicy];
  };
  const scripts: string[] = [];
  const runner: Runner = async (cmd, opts) => {
    scripts.push(`${cmd.argv[0]} ${opts?.input ?? ''}`);
    return cmd.argv[0] === '/opt/east/bin/hbase'
      ? { exitCode: 0, stdout: 'hbackup:reached 9f0c-west', stderr: '' }
      : {
          exitCode: 1,
          stdout: '',
          stderr: 'ERROR: org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss',
        };
  };
  const io = { fetch, runner, now: () => new Date(), timeoutMs: 1000 };

  it("checks on both sites that replication is on, that each reaches the other's HBase by its cluster key, and bulk loads", async () => {
    const found = await replicationFindings(services('127.0.0.1:2281', true), io);
    expect(found.map((f) => `${f.level} ${f.site}: ${f.text}`)).toEqual([
      'ok east: replication is on (HBase 2 has no hbase.replication switch)',
      "ok east: its HBase reaches west's by the cluster key 127.0.0.1:2281:/hbase (cluster id 9f0c-west)",
      'fail east: orders bulk-loads into replicated tables, but east does not replicate bulk-loaded HFiles (hbase.replication.bulkload.enabled=true, hbase.replication.cluster.id not set)',
      'fail west: replication is off in its HBase (hbase.replication=false)',
      "fail west: its HBase did not reach east's by the cluster key 127.0.0.1:2181:/hbase: ERROR: org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss",
      'fail west: orders bulk-loads into replicated tables, but west does not replicate bulk-loaded HFiles (hbase.replication.cluster.id not set)',
    ]);
    expect(found.filter((f) => f.level !== 'ok').every((f) => f.fix)).toBe(true);
    expect(scripts.find((s) => s.startsWith('/opt/east'))).toContain("createClusterConf(@hbase.configuration, '127.0.0.1:2281:/hbase')");
  });

  it('fails a cluster key that is missing or whose hosts do not resolve, and says nothing without replicating services', async () => {
    const found = await replicationFindings(services('zk.invalid:2181', false), io);
    expect(found.filter((f) => f.site === 'east').map((f) => f.text)).toEqual([
      'replication is on (HBase 2 has no hbase.replication switch)',
      "west's ZooKeeper host(s) zk.invalid do not resolve here",
    ]);
    const none = services('127.0.0.1:2281', false);
    none[0]!.policy.datasets = [{ hbase: 'shop:orders', replication: false }] as never;
    expect(await replicationFindings(none, io)).toEqual([]);
  });
});
