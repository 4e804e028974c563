// An emergency failover's live replicas: which services --replicas names, how far behind the replicas
// are (the old primary's sources, else the new primary's sinks), and the row-by-row comparison a
// failback lists an old primary's lost writes with.
import { describe, expect, it } from 'vitest';
import type { RestorePoint } from '../../src/catalog/catalog.js';
import type { ResolvedPolicy } from '../../src/config/load.js';
import { PolicySchema } from '../../src/config/schema.js';
import type { Performer } from '../../src/core/change.js';
import { UsageError } from '../../src/errors.js';
import type { Runner } from '../../src/exec/runner.js';
import { lostWrites, type Quarantined } from '../../src/flows/failover/quarantine.js';
import { behind, lagOf, replicasWanted } from '../../src/flows/failover/replicas.js';
import { compareScript, parseComparison } from '../../src/hbase/compare.js';
import type { ReplicationState } from '../../src/hbase/replication.js';
import type { Site } from '../../src/sites/site.js';

const policy = (service: string, replication: boolean) =>
  ({ policy: PolicySchema.parse({ service, datasets: [{ hdfs: '/raw' }, { hbase: 'shop:orders', replication }] }) }) as ResolvedPolicy;
const services = [policy('orders', true), policy('logs', false), policy('clicks', true)];
const state = (over: Partial<ReplicationState>): ReplicationState => ({ peers: [], tables: [], sources: [], sinks: [], ...over });
const east = { name: 'east' } as Site;
const west = { name: 'west' } as Site;
const now = new Date('2026-12-03T01:00:00Z');

describe('live replicas at an emergency failover', () => {
  it('takes every replicating service for a bare --replicas, or those named; refuses one without replicas', () => {
    expect([...replicasWanted(services, undefined)]).toEqual([]);
    expect([...replicasWanted(services, true)]).toEqual(['orders', 'clicks']);
    expect([...replicasWanted(services, ['clicks'])]).toEqual(['clicks']);
    expect(() => replicasWanted(services, ['logs', 'nope'])).toThrow(
      new UsageError('--replicas: logs, nope replicate no HBase table; services with replicas: orders, clicks'),
    );
    expect(() => replicasWanted([policy('logs', false)], true)).toThrow(/no service of --policies replicates an HBase table/);
  });

  it("measures the lag at the old primary's sources of the service's peer; else when the newest edit the sinks applied was written", () => {
    const sources = state({
      sources: [
        { server: 'rs1', peer: 'hbackup_orders', ageOfLastShippedOpMs: 100, lagMs: 400, logQueue: 1 },
        { server: 'rs2', peer: 'hbackup_orders', ageOfLastShippedOpMs: 100, lagMs: 2500, logQueue: 1 },
        { server: 'rs2', peer: 'other', ageOfLastShippedOpMs: 100, lagMs: 90_000, logQueue: 9 },
      ],
    });
    const fromSources = lagOf(sources, undefined, 'hbackup_orders', east, west, now);
    expect(fromSources).toEqual({
      lagSeconds: 2.5,
      newestEditAt: null,
      newestEditAgeSeconds: null,
      measuredOn: "east's replication sources",
    });
    expect(behind(fromSources)).toBe("2.5 s behind (east's replication sources)");

    const sinks = state({
      sinks: [
        { server: 'rs9', lastAppliedWrittenMs: now.getTime() - 42_000 },
        { server: 'rs8', lastAppliedWrittenMs: 0 },
      ],
    });
    const fromSinks = lagOf(undefined, sinks, 'hbackup_orders', undefined, west, now);
    expect(fromSinks).toMatchObject({ lagSeconds: null, newestEditAt: '2026-12-03T00:59:18.000Z', newestEditAgeSeconds: 42 });
    expect(behind(fromSinks)).toBe("the newest edit they got was written 42 s before (west's replication sinks (every peer into it))");

    expect(behind(lagOf(undefined, undefined, 'hbackup_orders', east, west, now))).toBe(
      "how far behind is not known (east's HBase did not answer)",
    );
    expect(lagOf(sources, undefined, 'hbackup_clicks', east, west, now).measuredOn).toBe(
      'not known (east reports no source of hbackup_clicks)',
    );
  });

  it('compares the cells written since the shared point with the other cluster by its cluster key, and lists the rows it lacks', () => {
    const script = compareScript('shop:orders', 'zk1:2181:/hbase', 1764723600000, 1000);
    expect(script).toContain("HBaseConfiguration.createClusterConf(@hbase.configuration, 'zk1:2181:/hbase')");
    expect(script).toContain('scan.setTimeRange(1764723600000, java.lang.Long::MAX_VALUE)');
    expect(script).toContain('if $hbackup_cells >= 1000');
    const out = ['hbase:001:0> …', 'hbackup:lost row000120', 'hbackup:lost row\\x00\\x01', 'hbackup:compared 300 310 false false'].join(
      '\n',
    );
    expect(parseComparison(out)).toEqual({
      lost: ['row000120', 'row\\x00\\x01'],
      rows: 300,
      cells: 310,
      partial: false,
      missingThere: false,
    });
    expect(parseComparison('hbackup:lost row1\nERROR: connection refused')).toBeUndefined();
  });

  it("lists a replicated table's lost rows by key at failback; one that cannot be compared falls back to its store files, and says why", async () => {
    const shared = { snapshot: 'hb-orders-20261203T000000Z', moment: '2026-12-03T00:00:00Z' } as RestorePoint;
    const record = { type: 'hbase', source: 'shop:orders', target: 'shop:orders', snapshot: 'hb-orders-20261203T000000Z.shop.orders' };
    const quarantine = [{ record, name: 'hbackup-quarantine-orders-x.shop.orders', exists: async () => true }] as Quarantined[];
    const old = { name: 'east', tool: (_: string, args: string[]) => ({ argv: ['/opt/east/bin/hbase', ...args] }) } as unknown as Site;
    let reachable = true;
    const info = (files: string[]) => `Snapshot Info\n${files.map((f) => `      100 ${f}`).join('\n')}\n`;
    const runner: Runner = async (cmd, opts) => {
      if (cmd.argv[1] === 'shell')
        return reachable
          ? { exitCode: 0, stdout: 'hbackup:lost fo000101\nhbackup:lost fo000102\nhbackup:compared 40 40 false false\n', stderr: '' }
          : { exitCode: 1, stdout: '', stderr: 'ERROR: KeeperErrorCode = ConnectionLoss for /hbase/master' };
      const name = cmd.argv[cmd.argv.indexOf('-snapshot') + 1];
      expect(opts?.input).toBeUndefined();
      return { exitCode: 0, stdout: info(name === record.snapshot ? ['a/b/f/1'] : ['a/b/f/1', 'a/b/f/2']), stderr: '' };
    };
    const p: Performer = { sites: { east: old }, runner, spawn: () => undefined as never, debug: () => {} };
    const replicated = { tables: ['shop:orders'], key: 'zk-west:2181:/hbase', primary: 'west' };
    expect((await lostWrites(p, old, shared, quarantine, replicated))[0]!.changes).toEqual(['row fo000101', 'row fo000102']);
    reachable = false;
    const [fallback] = await lostWrites(p, old, shared, quarantine, replicated);
    expect(fallback!.changes).toEqual([
      expect.stringMatching(
        /^not compared row by row with west's: .*ConnectionLoss for \/hbase\/master \(comparing shop:orders with the other cluster's\)$/,
      ),
      'table changed (its store files differ from the shared restore point)',
    ]);
  });
});
