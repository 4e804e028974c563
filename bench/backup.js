#!/usr/bin/env node
// Figures for the HDFS backup, against the running sandbox (npm run sandbox:up; built CLI):
// 1. the consistency window of one policy with 10 data sets;
// 2. incremental efficiency: bytes copied ÷ bytes changed after new, modified, deleted and renamed files;
// 3. wall time of `hbackup backup` vs the same snapshot + distcp + snapshot run by hand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { WebHdfs } from '../dist/hdfs/webhdfs.js';
import { sandboxDir, siteLayout } from '../test/cluster/layout.js';

const root = path.resolve(import.meta.dirname, '..');
const east = siteLayout('east', '');
const west = siteLayout('west', '');
const h = (s) => new WebHdfs({ urls: [`http://127.0.0.1:${s.ports.nnHttp}`], user: s.user });
const id = Date.now().toString(36);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-'));
const env = { HBACKUP_STATE_DIR: path.join(work, 'state'), HBACKUP_CLUSTERS: path.join(sandboxDir(), 'clusters.yaml'), NO_COLOR: '1' };
const blob = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 11) % 253));
const MB = 1024 * 1024;

async function tool(site, name, args) {
  await execa(path.join(site.binDir, name), args);
}
async function policy(service, dirs, extra = {}) {
  const file = path.join(work, `${service}.yaml`);
  fs.writeFileSync(file, stringify({ service, datasets: dirs.map((d) => ({ hdfs: d })), ...extra }));
  for (const d of dirs) await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', d]);
  return file;
}
async function backup(file) {
  const t = Date.now();
  const r = await execa('node', [path.join(root, 'bin/hbackup.js'), 'backup', file, '--json'], { env, reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return { ...JSON.parse(r.stdout.trim().split('\n')[0]), wallMs: Date.now() - t };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Consistency window, 10 data sets.
const dirs = Array.from({ length: 10 }, (_, i) => `/bench/${id}/window/ds${i}`);
for (const d of dirs) await h(east).createFile(`${d}/f.txt`, 'x', true);
const wp = await policy(`window-${id}`, dirs, { copy: { mappers: 2 } });
const windows = [];
for (let i = 0; i < 5; i++) {
  for (const d of dirs) await h(east).createFile(`${d}/run${i}.txt`, blob(1000, i + 1), true);
  windows.push((await backup(wp)).consistencyWindowMs);
  await new Promise((r) => setTimeout(r, 1000));
}
console.log(
  `consistency window, 10 HDFS data sets, 5 runs: min ${Math.min(...windows)} ms, median ${median(windows)} ms, max ${Math.max(...windows)} ms`,
);

// 2. Incremental efficiency.
const inc = `/bench/${id}/inc`;
for (let i = 0; i < 20; i++) await h(east).createFile(`${inc}/f${i}.bin`, blob(MB, i + 3), true);
for (let i = 0; i < 5; i++) await h(east).createFile(`${inc}/old/g${i}.bin`, blob(MB, i + 50), true);
const ip = await policy(`inc-${id}`, [inc], { copy: { mappers: 2 } });
const first = await backup(ip);
let changed = 0;
for (let i = 0; i < 3; i++) {
  await h(east).createFile(`${inc}/new${i}.bin`, blob(MB, i + 90), true);
  changed += MB;
}
for (let i = 0; i < 2; i++) {
  await h(east).createFile(`${inc}/f${i}.bin`, blob(MB, i + 70), true);
  changed += MB;
}
for (let i = 2; i < 4; i++) await h(east).delete(`${inc}/f${i}.bin`);
await h(east).rename(`${inc}/old`, `${inc}/renamed`);
const second = await backup(ip);
const copied = second.datasets[0].bytesCopied;
console.log(
  `incremental efficiency: full copy ${(first.datasets[0].bytesCopied / MB).toFixed(1)} MB; after 3 new + 2 modified (${(changed / MB).toFixed(1)} MB), 2 deleted and a renamed 5 MB directory: copied ${(copied / MB).toFixed(2)} MB (${second.datasets[0].mode}) → ratio ${(copied / changed).toFixed(3)}`,
);

// 3. hbackup vs by hand, one data set, incremental after one new 1 MB file.
const hand = `/bench/${id}/hand`;
const mine = `/bench/${id}/mine`;
for (const d of [hand, mine]) for (let i = 0; i < 5; i++) await h(east).createFile(`${d}/f${i}.bin`, blob(MB, i + 5), true);
const mp = await policy(`mine-${id}`, [mine], { copy: { mappers: 2 } });
await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', hand]);
await backup(mp);
await tool(east, 'hdfs', ['dfs', '-createSnapshot', hand, 's1']);
await tool(west, 'hdfs', ['dfs', '-mkdir', '-p', hand]);
await tool(west, 'hdfs', ['dfsadmin', '-allowSnapshot', hand]);
await tool(east, 'hadoop', [
  'distcp',
  '-update',
  '-delete',
  '-pbcugpaxt',
  '-m',
  '2',
  `${east.fsUri}${hand}/.snapshot/s1`,
  `${west.fsUri}${hand}`,
]);
await tool(west, 'hdfs', ['dfs', '-createSnapshot', hand, 's1']);
const rounds = 3;
const times = { mine: [], hand: [] };
for (let i = 0; i < rounds; i++) {
  await h(east).createFile(`${mine}/n${i}.bin`, blob(MB, i + 7), true);
  await h(east).createFile(`${hand}/n${i}.bin`, blob(MB, i + 7), true);
  times.mine.push((await backup(mp)).wallMs);
  const t = Date.now();
  const [a, b] = [`s${i + 1}`, `s${i + 2}`];
  await tool(east, 'hdfs', ['dfs', '-createSnapshot', hand, b]);
  await tool(east, 'hadoop', ['distcp', '-update', '-diff', a, b, '-pbcugpaxt', '-m', '2', `${east.fsUri}${hand}`, `${west.fsUri}${hand}`]);
  await tool(west, 'hdfs', ['dfs', '-createSnapshot', hand, b]);
  times.hand.push(Date.now() - t);
  await new Promise((r) => setTimeout(r, 1000));
}
console.log(
  `incremental backup of one data set (1 MB new), median of ${rounds}: hbackup ${median(times.mine)} ms (preflight, snapshot, distcp -diff, target snapshot, verify, catalog, retention) vs by hand ${median(times.hand)} ms (hdfs dfs -createSnapshot, hadoop distcp -diff, hdfs dfs -createSnapshot)`,
);
fs.rmSync(work, { recursive: true, force: true });
