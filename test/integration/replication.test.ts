// HBase replication set up by the backup, against both sandbox sites' real HBase: while a writer puts
// some 50 rows a second into the table, the backup adds the service's peer disabled, scopes the
// table's family, takes and exports the moment's snapshot, clones it on west as the replica and
// enables the peer. Once the writer stops and the peer has shipped everything, the replica holds
// exactly the primary's rows — none lost between the snapshot and the peer, none doubled. status
// shows the peer and its lag (and the metrics file); a second backup finds it in place and changes
// nothing; the peer disabled by hand is CRITICAL; a column family added on the primary is found by
// the next backup, which sets the table up again (the peer enabled), and the family replicates.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, east, ensureSandboxUp, hbackup, hbaseShell, runId, type SiteInfo, tmpDir, west, writePolicy } from './helpers.js';

const id = runId();
const ns = `rep_${id}`;
const table = `${ns}:events`;

/** Puts row000000, row000001, … (value: its number) some 50 a second until the stop file exists; says how many. */
const writerScript = (stop: string) => `
conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
i = 0
until java.io.File.new('${stop}').exists
  p = org.apache.hadoop.hbase.client.Put.new(b.toBytes('row%06d' % i))
  p.addColumn(b.toBytes('f'), b.toBytes('q'), b.toBytes(i.to_s))
  t.put(p)
  i += 1
  sleep 0.02
end
conn.close
puts "hbackup:wrote #{i}"
`;

/** Every row of the table on a site, as `key=value`, in order. */
async function rowsOn(site: SiteInfo): Promise<string[]> {
  const out = await hbaseShell(
    site,
    `conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
t.getScanner(org.apache.hadoop.hbase.client.Scan.new).each { |r| r.rawCells.each { |c| puts "hbackup:row #{b.toString(r.getRow)}=#{b.toString(org.apache.hadoop.hbase.CellUtil.cloneValue(c))}" } }
conn.close
`,
  );
  return [...String(out.stdout).matchAll(/^hbackup:row (\S+)$/gm)].map((m) => m[1]!);
}

describe('HBase replication', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    await hbaseShell(east, `create_namespace '${ns}'\ncreate '${table}', 'f'\n`);
  });
  // The sandbox's east ships nothing for this test after it.
  afterAll(() => hbaseShell(east, `remove_peer 'hbackup_rep_${id}' if list_peers.any? { |p| p.getPeerId == 'hbackup_rep_${id}' }\n`));

  it('bootstraps under a writer at 50 rows/s: the replica ends with exactly the primary rows; a second run changes nothing', async () => {
    const policy = writePolicy({ service: `rep-${id}`, datasets: [{ hbase: table, replication: true }] });
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
    const dir = path.dirname(policy);
    const metrics = path.join(tmpDir('rep-metrics'), 'status.prom');
    const ok = await hbackup(['status', '--policies', dir, '--json', '--metrics-file', metrics]);
    const peer = `hbackup_rep_${id}`;
    expect(JSON.parse(String(ok.stdout)).services[0].replication, String(ok.stderr)).toMatchObject({
      peer,
      state: 'enabled',
      tables: [table],
    });
    expect(JSON.parse(String(ok.stdout)).services[0].replication.lagSeconds).toBeLessThan(60);
    expect(fs.readFileSync(metrics, 'utf8')).toMatch(
      new RegExp(`^hbackup_replication_lag_seconds\\{service="rep-${id}",peer="${peer}"\\} \\d`, 'm'),
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
});
