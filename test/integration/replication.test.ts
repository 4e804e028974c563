// HBase replication set up by the backup, against both sandbox sites' real HBase: while a writer puts
// some 50 rows a second into the table, the backup adds the service's peer disabled, scopes the
// table's family, takes and exports the moment's snapshot, clones it on west as the replica and
// enables the peer. Once the writer stops and the peer has shipped everything, the replica holds
// exactly the primary's rows — none lost between the snapshot and the peer, none doubled. status
// shows the peer and its lag (and the metrics file); a second backup finds it in place and changes
// nothing; the peer disabled by hand is CRITICAL; a column family added on the primary is found by
// the next backup, which sets the table up again (the peer enabled), and the family replicates.
// doctor --policies checks both sites reach each other's HBase by cluster key. Then, with the writer
// running, an emergency failover to the live replicas: east's peer goes first, the rows west lacks are
// only those written within the measured lag of the failover; the failback lists exactly those rows
// by key (compared cell by cell with west) and sets replication up from west to east.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/identity/identity.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import {
  backup,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  runId,
  type SiteInfo,
  tmpDir,
  tool,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
const ns = `rep_${id}`;
const table = `${ns}:events`;
const peer = `hbackup_rep_${id}`;
const policy = writePolicy({ service: `rep-${id}`, datasets: [{ hbase: table, replication: true }], copy: { mappers: 2 } });
const dir = path.dirname(policy);
const roleOf = async (site: SiteInfo) => (await readIdentity(webhdfs(site)))?.role;
const removePeer = `remove_peer '${peer}' if list_peers.any? { |p| p.getPeerId == '${peer}' }\n`;

/** Puts row000000, row000001, … (value: its number) some 50 a second until the stop file exists; says how many. */
const writerScript = (stop: string, prefix = 'row') => `
conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
i = 0
until java.io.File.new('${stop}').exists
  p = org.apache.hadoop.hbase.client.Put.new(b.toBytes('${prefix}%06d' % i))
  p.addColumn(b.toBytes('f'), b.toBytes('q'), b.toBytes(i.to_s))
  t.put(p)
  i += 1
  sleep 0.02
end
conn.close
puts "hbackup:wrote #{i}"
`;

/** Every cell of the table on a site (one per row here): `key=value`, and when it was written, in order. */
async function cellsOn(site: SiteInfo, before = ''): Promise<{ row: string; written: number }[]> {
  const out = await hbaseShell(
    site,
    `${before}conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
t.getScanner(org.apache.hadoop.hbase.client.Scan.new).each { |r| r.rawCells.each { |c| puts "hbackup:row #{b.toString(r.getRow)}=#{b.toString(org.apache.hadoop.hbase.CellUtil.cloneValue(c))} #{c.getTimestamp}" } }
conn.close
`,
  );
  return [...String(out.stdout).matchAll(/^hbackup:row (\S+) (\d+)$/gm)].map((m) => ({ row: m[1]!, written: Number(m[2]) }));
}

/** Every row of the table on a site, as `key=value`, in order. */
const rowsOn = async (site: SiteInfo): Promise<string[]> => (await cellsOn(site)).map((c) => c.row);

describe('HBase replication', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    await hbaseShell(east, `create_namespace '${ns}'\ncreate '${table}', 'f'\n`);
  });
  // The sandbox as the other files expect it: east the primary out of safe mode, shipping nothing for this test.
  afterAll(async () => {
    await tool(east, 'hdfs', ['dfsadmin', '-safemode', 'leave']).catch(() => undefined);
    if ((await roleOf(east)) !== 'primary' || (await roleOf(west)) !== 'secondary') await hbackup(['init', '--force']);
    // HBase on a site that spent a while in safe mode may have lost its region server: start it afresh then.
    const health = JSON.parse(String((await hbackup(['--json', 'status'])).stdout));
    if (health.sites.some((x: { level: string }) => x.level !== 'OK')) {
      await stopSite('east');
      await startSite('east');
    }
    await Promise.all([hbaseShell(east, removePeer), hbaseShell(west, removePeer)]);
  });

  it('bootstraps under a writer at 50 rows/s: the replica ends with exactly the primary rows; a second run changes nothing', async () => {
    const stop = path.join(tmpDir('rep-writer'), 'stop');
    const writer = execa(path.join(east.binDir, 'hbase'), ['shell', '-n'], { input: writerScript(stop), reject: false });
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      const first = await backup(policy);
      expect(first.report, first.stderr).toMatchObject({
        result: 'ok',
        replication: { peer: `hbackup_rep_${id}`, tables: [table], bootstrapped: [table], reason: `${table} joins the peer` },
      });
      // The writer goes on after the bootstrap.
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      fs.writeFileSync(stop, '');
    }
    const wrote = await writer;
    const written = Number(/^hbackup:wrote (\d+)$/m.exec(String(wrote.stdout))?.[1]);
    expect(written, String(wrote.stderr).slice(-2000)).toBeGreaterThan(200);

    // The peer ships what queued; the replica catches up (each look is one shell: some seconds).
    const caughtUp = async (rows: number) => {
      let replica: string[] = [];
      for (let i = 0; i < 12; i++) {
        replica = await rowsOn(west);
        if (replica.length >= rows) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
      return replica;
    };
    const primaryRows = await rowsOn(east);
    const replicaRows = await caughtUp(written);
    expect(primaryRows).toHaveLength(written);
    expect(primaryRows.at(-1)).toBe(`row${String(written - 1).padStart(6, '0')}=${written - 1}`);
    expect(replicaRows).toEqual(primaryRows);

    // status: the peer enabled and its lag, in the metrics file too.
    const metrics = path.join(tmpDir('rep-metrics'), 'status.prom');
    const ok = await hbackup(['status', '--policies', dir, '--json', '--metrics-file', metrics]);
    expect(JSON.parse(String(ok.stdout)).services[0].replication, String(ok.stderr)).toMatchObject({
      peer,
      state: 'enabled',
      tables: [table],
    });
    expect(JSON.parse(String(ok.stdout)).services[0].replication.lagSeconds).toBeLessThan(60);
    expect(fs.readFileSync(metrics, 'utf8')).toMatch(
      new RegExp(`^hbackup_replication_lag_seconds\\{service="rep-${id}",peer="${peer}"\\} \\d`, 'm'),
    );

    // doctor --policies: each site's HBase reaches the other's by its cluster key; bulk loads are not replicated here.
    const bulk = writePolicy({ service: `rep-${id}`, datasets: [{ hbase: table, replication: true }], replication: { bulkLoads: true } });
    const doc = await hbackup(['--json', 'doctor', '--policies', path.dirname(bulk)]);
    expect(doc.exitCode, String(doc.stderr)).toBe(2);
    const found = JSON.parse(String(doc.stdout)).findings.filter((f: { check: string }) => f.check === 'replication');
    expect(found.map((f: { level: string; site: string; text: string }) => `${f.level} ${f.site}: ${f.text}`)).toEqual(
      ['east', 'west'].flatMap((site) => [
        `ok ${site}: replication is on (HBase 2 has no hbase.replication switch)`,
        expect.stringMatching(
          new RegExp(`^ok ${site}: its HBase reaches \\w+'s by the cluster key 127\\.0\\.0\\.1:\\d+:/hbase \\(cluster id \\S+\\)$`),
        ),
        `fail ${site}: rep-${id} bulk-loads into replicated tables, but ${site} does not replicate bulk-loaded HFiles (hbase.replication.bulkload.enabled=true, hbase.replication.cluster.id not set)`,
      ]),
    );

    // The replica is live: a restore in place on the secondary is refused; beside it, planned.
    const inPlace = await hbackup(['restore', policy, '--on', 'secondary', '--dry-run']);
    expect(inPlace.exitCode, String(inPlace.stderr)).toBe(3);
    expect(String(inPlace.stderr)).toContain(`${table} on west: the live replica of a replicated table (replication: true)`);
    const beside = await hbackup(['restore', policy, '--on', 'secondary', '--suffix', '_r1', '--dry-run', '--json']);
    expect(beside.exitCode, String(beside.stderr)).toBe(0);
    expect(JSON.parse(String(beside.stdout)).datasets).toMatchObject([{ to: `west:${table}_r1`, inPlace: false }]);

    const second = await backup(policy);
    expect(second.report, second.stderr).toMatchObject({ result: 'ok', replication: { bootstrapped: [], reason: 'in place' } });
    expect(second.stderr).not.toContain('replication peer');

    // The peer disabled by hand: CRITICAL, naming it. A column family added on the primary meanwhile
    // (and written to): the next backup finds it unreplicated and sets the table up again, the peer enabled.
    await hbaseShell(east, `disable_peer '${peer}'\nalter '${table}', {NAME => 'g'}\nput '${table}', 'row-g1', 'g:q', 'g1'\n`);
    const critical = await hbackup(['status', '--policies', dir]);
    expect(critical.exitCode).toBe(2);
    expect(String(critical.stdout)).toContain(`CRITICAL: rep-${id}: replication peer ${peer} on east is disabled`);
    const third = await backup(policy);
    expect(third.report, third.stderr).toMatchObject({
      replication: { bootstrapped: [table], reason: `${table}'s families g are not replicated` },
    });
    expect(third.stderr).toContain(`replication peer ${peer}: ${table}'s families g are not replicated`);
    await hbaseShell(east, `put '${table}', 'row-g2', 'g:q', 'g2'\n`);
    const withFamily = await rowsOn(east);
    const replicaWithFamily = await caughtUp(written + 2);
    expect(withFamily).toEqual(expect.arrayContaining(['row-g1=g1', 'row-g2=g2']));
    expect(replicaWithFamily).toEqual(withFamily);
  });
  it('fails over in an emergency to the live replicas while the writer runs: at most the lag lost, the old primary ships nothing more; failback lists its rows and replicates the other way', async () => {
    const stop = path.join(tmpDir('rep-writer'), 'stop');
    const writer = execa(path.join(east.binDir, 'hbase'), ['shell', '-n'], { input: writerScript(stop, 'fo'), reject: false });
    let began = 0;
    try {
      await new Promise((r) => setTimeout(r, 4_000));
      began = Date.now();
      const fo = await hbackup(['--json', 'failover', '--policies', dir, '--yes', '--emergency', '--replicas']);
      const report = jsonLines(String(fo.stdout))[0]!;
      expect(report, String(fo.stderr)).toMatchObject({ result: 'ok', mode: 'emergency', from: 'east', to: 'west' });
      expect(report.services[0].replicas).toMatchObject({ tables: [table], used: true, measuredOn: "east's replication sources" });
      expect(report.services[0].datasets).toEqual([{ type: 'hbase', to: `west:${table}`, method: 'live replica' }]);
      const lag = report.services[0].replicas.lagSeconds;
      expect(lag).toBeLessThan(5);
      // The application that missed the switch goes on writing to east a while.
      await new Promise((r) => setTimeout(r, 2_000));
      fs.writeFileSync(stop, '');
      expect(String((await writer).stdout)).toMatch(/^hbackup:wrote \d+$/m);

      // East's peer went first: nothing it took after it reaches west (read last, with time to ship).
      expect(String((await hbaseShell(east, 'list_peers\n')).stdout)).not.toContain(peer);
      const onEast = (await cellsOn(east)).filter((c) => c.row.startsWith('fo'));
      const onWest = new Set((await cellsOn(west, `put '${table}', 'west-new', 'f:q', 'new'\n`)).map((c) => c.row));
      expect(onWest.has('west-new=new')).toBe(true);
      const lost = onEast.filter((c) => !onWest.has(c.row));
      expect(lost.length).toBeGreaterThan(0);
      // Lost: only what was written less than the measured lag (and the time the peer took to go) before the failover began.
      expect(Math.min(...lost.map((c) => c.written)), `${lost.length} lost, lag ${lag} s`).toBeGreaterThan(began - (lag + 1) * 1000);
      expect(onEast.filter((c) => onWest.has(c.row)).length).toBeGreaterThan(100);

      // failback: the rows east holds and west lacks, listed by key; east rolled back; west replicates to east.
      const fb = await hbackup(['--json', 'failback', '--policies', dir, '--yes']);
      const back = jsonLines(String(fb.stdout))[0]!;
      expect(back, `${back.warnings} ${back.error}`).toMatchObject({ result: 'ok', from: 'east', to: 'west' });
      const listed = back.services[0].lostWrites.find((l: { dataset: string }) => l.dataset === table);
      expect(listed.changes.sort()).toEqual(lost.map((c) => `row ${c.row.split('=')[0]}`).sort());
      await hbaseShell(west, `put '${table}', 'west-after', 'f:q', 'shipped'\n`);
      let got: string[] = [];
      for (let i = 0; i < 6 && !got.includes('west-after=shipped'); i++) got = await rowsOn(east);
      expect(got).toContain('west-after=shipped');
      expect(got).toContain('west-new=new');
    } finally {
      fs.writeFileSync(stop, '');
    }
  });
});
