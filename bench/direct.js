#!/usr/bin/env node
// Figures for cycles of small changes, against the running sandbox (built CLI): a service of 10
// directories, BENCH_FILES files in all (default 100,000). For 1 file, 0.1 % and 1 % of the files
// changed: hbackup copying the diff itself through WebHDFS, hbackup with copy.direct off (DistCp),
// and the same by hand (per changed directory: snapshot, distcp -update -diff, target snapshot);
// where hbackup's seconds go (plan, snapshots, copies and verification, catalog, retention, Node).
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { WebHdfs } from '../dist/hdfs/webhdfs.js';
import { cycleByHand, east, smallFiles, workspace } from './data.js';

const root = path.resolve(import.meta.dirname, '..');
const h = new WebHdfs({ urls: [`http://127.0.0.1:${east.ports.nnHttp}`], user: east.user });
// BENCH_REUSE=<id> runs the cycles again on the data and restore points a former run left (its
// directories stay: writing 100,000 files and their first copy take the better part of an hour).
const reuse = process.env.BENCH_REUSE;
const id = reuse ?? Date.now().toString(36);
const { work, env } = workspace('direct');
const DIRS = 10;
const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const perDir = Math.ceil(FILES / DIRS);
const base = `/bench/direct-${id}`;
const dirs = Array.from({ length: DIRS }, (_, i) => `${base}/d${i}`);
const say = (text) => console.log(text);
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

if (!reuse) {
  const t = Date.now();
  await smallFiles(work, dirs, perDir);
  say(`data: ${DIRS} directories, ${perDir * DIRS} files written in ${secs(Date.now() - t)}`);
}

const policy = (name, copy) => {
  const file = path.join(work, `${name}.yaml`);
  fs.writeFileSync(
    file,
    stringify({ service: `direct-${id}`, datasets: dirs.map((d) => ({ hdfs: d })), copy: { mappers: 4, parallel: 4, ...copy } }),
  );
  return file;
};
const directPolicy = policy('direct', {});
const distcpPolicy = policy('distcp', { direct: 'off' });

async function backup(file) {
  const start = Date.now();
  const r = await execa('node', [path.join(root, 'bin/hbackup.js'), 'backup', file, '--json'], { env, reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return { report: JSON.parse(r.stdout.trim().split('\n')[0]), wallMs: Date.now() - start };
}

/**
 * Where a cycle's seconds went: the run's phases (its report's phasesMs; the copies are every data
 * set's copy and verification side by side, the slowest copy and verification said beside), and
 * what lies outside the run (Node's start and exit).
 */
function split(r) {
  const ds = r.report.datasets;
  const p = r.report.phasesMs;
  const copy = Math.max(...ds.map((d) => d.copyMs ?? 0));
  const verify = Math.max(...ds.map((d) => d.verified?.ms ?? 0));
  const by = [...new Set(ds.map((d) => d.copiedBy ?? d.mode))].join('/');
  return (
    `${secs(r.wallMs)} (by ${by}; plan ${secs(p.plan)}, snapshots ${secs(p.snapshots)}, ` +
    `copies ${secs(p.copies)} (slowest copy ${secs(copy)}, slowest verification ${secs(verify)}), ` +
    `catalog ${secs(p.catalog)}, retention ${secs(p.retention ?? 0)}, Node ${secs(r.wallMs - r.report.durationMs)})`
  );
}

const first = await backup(directPolicy);
say(`${reuse ? 'a first backup of the directories as a former run left them' : 'full backup (DistCp)'}: ${secs(first.wallMs)}`);

let round = 0;
/** Rewrite n files spread over the directories; returns the directories touched. */
async function change(n) {
  round++;
  const touched = new Set();
  for (let k = 0; k < n; k++) {
    const d = dirs[k % DIRS];
    const f = Math.floor(k / DIRS) * 7 + round;
    await h.createFile(`${d}/f${String(f % perDir).padStart(6, '0')}.txt`, `${'y'.repeat(150)} changed ${round} ${k}\n`, true);
    touched.add(d);
  }
  return [...touched];
}

const sizes = [
  ['1 file', 1],
  ['0.1 %', Math.round(FILES / 1000)],
  ['1 %', Math.round(FILES / 100)],
];
const rows = [];
// Each size three times through WebHDFS (the median's split said, with all three), once by DistCp.
for (const [label, n] of sizes) {
  const direct = [];
  for (let i = 0; i < 3; i++) {
    await change(n);
    direct.push(await backup(directPolicy));
  }
  direct.sort((a, b) => a.wallMs - b.wallMs);
  await change(n);
  const job = await backup(distcpPolicy);
  rows.push([label, n, direct[1], job]);
  say(`${label} (${n} files): direct ${split(direct[1])}, of ${direct.map((r) => secs(r.wallMs)).join(', ')}`);
  say(`${label} (${n} files): DistCp ${split(job)}`);
}
// What a cycle's reads cost the NameNode as the tree grows: a content summary (verification reads
// one per snapshot, on each side) and a snapshot diff, on one directory and on all of them.
const timed = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
for (const [what, p] of [
  [`${perDir} files`, dirs[0]],
  [`${perDir * DIRS} files`, base],
]) {
  const ms = [];
  for (let i = 0; i < 5; i++) ms.push(await timed(() => h.contentSummary(p)));
  say(`GETCONTENTSUMMARY of ${what}: median ${ms.sort((a, b) => a - b)[2].toFixed(1)} ms`);
}
const last2 = rows.at(-1)[3].report.restorePoint;
const diffMs = [];
for (let i = 0; i < 5; i++) diffMs.push(await timed(() => h.snapshotDiff(dirs[0], last2, '')));
say(`GETSNAPSHOTDIFF of ${perDir} files (a 1 % change since): median ${diffMs.sort((a, b) => a - b)[2].toFixed(1)} ms`);
const statMs = [];
for (let i = 0; i < 200; i++) statMs.push(await timed(() => h.getFileStatus(`${dirs[0]}/f000001.txt`)));
say(`one WebHDFS call (GETFILESTATUS), one at a time: median ${statMs.sort((a, b) => a - b)[100].toFixed(2)} ms`);

// By hand, from hbackup's last restore point (only the directories the change touched, one after
// another, each from its own last snapshot).
const lastOf = new Map(dirs.map((d) => [d, rows.at(-1)[3].report.restorePoint]));
for (const [label, n] of sizes) {
  const touched = await change(n);
  const next = `hand-${Date.now().toString(36)}`;
  const ms = await cycleByHand(touched, (d) => lastOf.get(d), next);
  for (const d of touched) lastOf.set(d, next);
  say(`${label} by hand (${touched.length} director${touched.length === 1 ? 'y' : 'ies'}): ${secs(ms)}`);
}
fs.rmSync(work, { recursive: true, force: true });
