#!/usr/bin/env node
// HBase replication set up by hbackup, against the running sandbox (npm run sandbox:up; `npm run
// build` first). A table on east loaded with SIZE_MB of rows (1 KiB values, default 64); the time a
// backup takes to set its replication up (peer, scopes, snapshot exported and cloned on west, peer
// enabled). Then a writer puts RATE rows a second (default 200) for SECONDS (default 300) while
// `status` samples the peer's lag every SAMPLE seconds (default 10): the lag's median, 99th
// percentile and largest, and how long after the writer stopped the replica held every row. The
// export runs with 2 mappers: a local-mode ExportSnapshot gives each a buffer of a block (128 MiB).
// With FAILOVER=1, at the end the writer keeps writing through an emergency failover to the live
// replicas (`failover --emergency --replicas`): the RPO is the rows the replica lacked that were
// written before the failover began, and their age; then `failback --switch` puts the roles back.
// Prints figures; asserts nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { sandboxDir } from '../test/cluster/layout.js';

const root = path.resolve(import.meta.dirname, '..');
const clustersFile = path.join(sandboxDir(), 'clusters.yaml');
const env = { HBACKUP_CLUSTERS: clustersFile, HBACKUP_STATE_DIR: path.join(sandboxDir(), 'state'), NO_COLOR: '1' };
const SIZE_MB = Number(process.env.SIZE_MB ?? 64);
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 300);
const SAMPLE = Number(process.env.SAMPLE ?? 10);
const FAILOVER = process.env.FAILOVER === '1';
const id = Date.now().toString(36);
const table = `benchrep_${id}:t`;
const service = `benchrep-${id}`;

const shell = (site, script) =>
  execa(path.join(sandboxDir(), site, 'bin', 'hbase'), ['shell', '-n'], { input: script, reject: false }).then((r) => {
    if (r.exitCode !== 0) throw new Error(`hbase shell on ${site}: ${String(r.stdout).slice(-500)}${String(r.stderr).slice(-500)}`);
    return String(r.stdout);
  });
const hbackup = (args) =>
  execa('node', [path.join(root, 'bin', 'hbackup.js'), ...args], { env: { ...process.env, ...env }, reject: false });
const rows = async (site) =>
  Number(
    /^hbackup:rows (\d+)$/m.exec(
      await shell(
        site,
        `conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
s = org.apache.hadoop.hbase.client.Scan.new
s.setFilter(org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter.new)
n = 0
t.getScanner(s).each { |r| n += 1 }
conn.close
puts "hbackup:rows #{n}"
`,
      ),
    )?.[1],
  );
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

// The table, loaded through a BufferedMutator: SIZE_MB rows of 1 KiB.
const loadRows = SIZE_MB * 1024;
let t = Date.now();
await shell(
  'east',
  `create_namespace 'benchrep_${id}'
create '${table}', 'f', {SPLITS => ['row2', 'row4', 'row6', 'row8']}
conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
m = conn.getBufferedMutator(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
v = b.toBytes('x' * 1024)
${loadRows}.times do |i|
  p = org.apache.hadoop.hbase.client.Put.new(b.toBytes("row#{(i * 7919) % 10}-#{i}"))
  p.addColumn(b.toBytes('f'), b.toBytes('q'), v)
  m.mutate(p)
end
m.close
conn.close
flush '${table}'
`,
);
console.log(`load ${SIZE_MB} MiB (${loadRows} rows of 1 KiB) into ${table} on east (setup): ${((Date.now() - t) / 1000).toFixed(1)} s`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-rep-'));
const policy = path.join(dir, `${service}.yaml`);
fs.writeFileSync(
  policy,
  stringify({ service, datasets: [{ hbase: table, replication: true }], copy: { mappers: 2 }, retention: { primary: 1, secondary: 1 } }),
);
t = Date.now();
const first = await hbackup(['backup', policy, '--json']);
const report = JSON.parse(String(first.stdout).split('\n')[0]);
console.log(
  `bootstrap: a backup of ${SIZE_MB} MiB that sets replication up: ${((Date.now() - t) / 1000).toFixed(1)} s wall (${report.result}; phases ${JSON.stringify(report.phasesMs)})`,
);
if (report.result !== 'ok') throw new Error(`the bootstrap failed: ${report.error}`);

// The writer, and status sampling the lag meanwhile.
const stop = path.join(dir, 'stop');
const writer = execa(path.join(sandboxDir(), 'east', 'bin', 'hbase'), ['shell', '-n'], {
  reject: false,
  input: `conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
t = conn.getTable(org.apache.hadoop.hbase.TableName.valueOf('${table}'))
b = org.apache.hadoop.hbase.util.Bytes
i = 0
start = Time.now
until java.io.File.new('${stop}').exists
  p = org.apache.hadoop.hbase.client.Put.new(b.toBytes("w-#{i}"))
  p.addColumn(b.toBytes('f'), b.toBytes('q'), b.toBytes(i.to_s))
  t.put(p)
  i += 1
  ahead = i / ${RATE}.0 - (Time.now - start)
  sleep ahead if ahead > 0
end
conn.close
puts "hbackup:wrote #{i} in #{(Time.now - start).round(1)} s"
`,
});
const lags = [];
const until = Date.now() + SECONDS * 1000;
while (Date.now() < until) {
  const s = await hbackup(['status', '--policies', dir, '--json']);
  const r = JSON.parse(String(s.stdout)).services?.[0]?.replication;
  if (r?.lagSeconds != null) lags.push(r.lagSeconds);
  await new Promise((res) => setTimeout(res, SAMPLE * 1000));
}
let failedOver;
if (FAILOVER) {
  // The primary treated as failed while the writer runs: the live replicas promoted.
  const began = Date.now();
  const fo = await hbackup(['--json', 'failover', '--policies', dir, '--yes', '--emergency', '--replicas']);
  const r = JSON.parse(String(fo.stdout).split('\n')[0]);
  if (r.result !== 'ok') throw new Error(`the failover failed: ${r.error}`);
  failedOver = { began, report: r, tookMs: Date.now() - began };
  await new Promise((res) => setTimeout(res, 2_000));
}
fs.writeFileSync(stop, '');
const wrote = String((await writer).stdout).match(/^hbackup:wrote (\d+) in ([\d.]+) s$/m);
const stopped = Date.now();
console.log(
  `writer: ${wrote?.[1]} puts in ${wrote?.[2]} s (${(Number(wrote?.[1]) / Number(wrote?.[2])).toFixed(0)} a second asked ${RATE})`,
);
console.log(
  `lag over ${lags.length} samples (status every ${SAMPLE} s): median ${pct(lags, 50)?.toFixed(2)} s, p99 ${pct(lags, 99)?.toFixed(2)} s, largest ${Math.max(...lags).toFixed(2)} s`,
);
if (failedOver) {
  // Every writer row on east (written from a minute before the failover) that west lacks, with when it was written.
  const westKey = `${parse(fs.readFileSync(clustersFile, 'utf8')).clusters.west.hbase.zookeeper}:/hbase`;
  const out = await shell(
    'east',
    `here = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
there = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(org.apache.hadoop.hbase.HBaseConfiguration.createClusterConf(@hbase.configuration, '${westKey}'))
name = org.apache.hadoop.hbase.TableName.valueOf('${table}')
dst = there.getTable(name)
b = org.apache.hadoop.hbase.util.Bytes
s = org.apache.hadoop.hbase.client.Scan.new
s.setTimeRange(${failedOver.began - 60_000}, java.lang.Long::MAX_VALUE)
s.setRowPrefixFilter(b.toBytes('w-'))
here.getTable(name).getScanner(s).each do |r|
  puts "hbackup:lacked #{b.toString(r.getRow)} #{r.rawCells[0].getTimestamp}" unless dst.exists(org.apache.hadoop.hbase.client.Get.new(r.getRow))
end
here.close
there.close
puts 'hbackup:compared'
`,
  );
  const lacked = [...out.matchAll(/^hbackup:lacked (\S+) (\d+)$/gm)].map((m) => Number(m[2]));
  const before = lacked.filter((ts) => ts < failedOver.began);
  const rep = failedOver.report.services[0].replicas;
  console.log(
    `emergency failover to the live replicas while writing: ${(failedOver.tookMs / 1000).toFixed(1)} s; measured lag ${rep.lagSeconds} s (${rep.measuredOn})`,
  );
  console.log(
    `RPO: ${before.length} row(s) written before the failover began never reached west${before.length ? ` (the oldest ${((failedOver.began - Math.min(...before)) / 1000).toFixed(2)} s before it)` : ''}; ${lacked.length - before.length} more written on east during and after it (the old primary's writes failback lists)`,
  );
  const t0 = Date.now();
  const fb = await hbackup(['--json', 'failback', '--policies', dir, '--yes', '--switch']);
  const back = JSON.parse(String(fb.stdout).split('\n')[0]);
  const listed = back.services?.[0]?.lostWrites?.find((l) => l.dataset === table)?.changes.length;
  console.log(
    `failback --switch: ${back.result} in ${((Date.now() - t0) / 1000).toFixed(1)} s; it listed ${listed} row(s) east holds and west lacks`,
  );
} else {
  const want = await rows('east');
  let have = 0;
  for (let i = 0; i < 30 && have < want; i++) have = await rows('west');
  console.log(
    `replica: ${have} of ${want} rows, every row ${((Date.now() - stopped) / 1000).toFixed(1)} s after the writer stopped (each count one shell)`,
  );
}
await shell(
  'east',
  `remove_peer 'hbackup_${service.replace(/-/g, '_')}' if list_peers.any? { |p| p.getPeerId == 'hbackup_${service.replace(/-/g, '_')}' }\n`,
);
