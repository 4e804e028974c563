#!/usr/bin/env node
// Figures for HBase tables in a restore point, against the running sandbox (npm run sandbox:up;
// built CLI):
// 1. the consistency window of a service with 3 HDFS directories + 3 HBase tables, against taking
//    the same snapshots one after another with the tools by hand;
// 2. bytes moved by the second export after 1 % of each table's rows changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { WebHdfs } from '../dist/hdfs/webhdfs.js';
import { sandboxDir, siteLayout } from '../test/cluster/layout.js';

const root = path.resolve(import.meta.dirname, '..');
const east = siteLayout('east', '');
const id = Date.now().toString(36);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-'));
const env = { HBACKUP_STATE_DIR: path.join(work, 'state'), HBACKUP_CLUSTERS: path.join(sandboxDir(), 'clusters.yaml'), NO_COLOR: '1' };
const h = new WebHdfs({ urls: [`http://127.0.0.1:${east.ports.nnHttp}`], user: east.user });
const ROWS = 5000;
const tool = (name, args, input) => execa(path.join(east.binDir, name), args, { input });
const puts = (table, from, to) =>
  Array.from(
    { length: to - from },
    (_, i) => `put '${table}', 'row${String(from + i).padStart(6, '0')}', 'f:c', '${'x'.repeat(500)}${i}'`,
  ).join('\n');

const dirs = [1, 2, 3].map((i) => `/bench/hb-${id}/d${i}`);
const tables = [1, 2, 3].map((i) => `bench_${id}_t${i}`);
for (const d of dirs) {
  await h.createFile(`${d}/f.bin`, Buffer.alloc(100_000, 7), true);
  await tool('hdfs', ['dfsadmin', '-allowSnapshot', d]);
}
await tool('hbase', ['shell', '-n'], `${tables.map((t) => `create '${t}', 'f'\n${puts(t, 0, ROWS)}\nflush '${t}'`).join('\n')}\n`);
const file = path.join(work, 'bench.yaml');
fs.writeFileSync(
  file,
  stringify({ service: `bench-${id}`, datasets: [...dirs.map((d) => ({ hdfs: d })), ...tables.map((t) => ({ hbase: t }))] }),
);
const backup = async () => {
  const r = await execa('node', [path.join(root, 'bin/hbackup.js'), 'backup', file, '--json'], { env, reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n')[0]);
};

const first = await backup();
console.log(`consistency window, 3 directories + 3 tables, hbackup: ${first.consistencyWindowMs} ms`);

const t0 = Date.now();
for (const d of dirs) await tool('hdfs', ['dfs', '-createSnapshot', d, `byhand-${id}`]);
for (const t of tables) await tool('hbase', ['snapshot', 'create', '-n', `byhand-${id}-${t}`, '-t', t]);
console.log(`consistency window, the same snapshots one after another with the tools by hand: ${Date.now() - t0} ms`);

await tool('hbase', ['shell', '-n'], `${tables.map((t) => `${puts(t, 0, ROWS / 100)}\nflush '${t}'`).join('\n')}\n`);
const second = await backup();
for (const d of second.datasets.filter((x) => x.type === 'hbase')) {
  const total = d.verified.bytes;
  console.log(
    `second export of ${d.source} after 1 % of rows changed: ${d.bytesCopied} of ${total} bytes moved (${((100 * d.bytesCopied) / total).toFixed(1)} %), ${d.bytesSkipped} skipped`,
  );
}
