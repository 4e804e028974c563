#!/usr/bin/env node
// Figures for a backup cycle whose cost follows the change, against the running sandbox (built CLI):
// a service of 10 directories, BENCH_FILES files in all (default 100,000):
// 1. the full backup, and hbackup's peak RSS while it verifies every file's checksum (--checksums);
// 2. cycles with nothing changed and with 0.1 % of the files changed: hbackup vs the same steps by
//    hand (hdfs dfs -createSnapshot, hadoop distcp -update -diff, hdfs dfs -createSnapshot, per directory);
// 3. a touched target: bytes copied from the primary by the next cycle ÷ bytes changed on the source.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { WebHdfs } from '../dist/hdfs/webhdfs.js';
import { cycleByHand, east, smallFiles, west, workspace } from './data.js';

const root = path.resolve(import.meta.dirname, '..');
const h = (s) => new WebHdfs({ urls: [`http://127.0.0.1:${s.ports.nnHttp}`], user: s.user });
const id = Date.now().toString(36);
const { work, env } = workspace('cycle');
const DIRS = 10;
const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const perDir = Math.ceil(FILES / DIRS);
const base = `/bench/cycle-${id}`;
const dirs = Array.from({ length: DIRS }, (_, i) => `${base}/d${i}`);
const say = (text) => console.log(text);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

let t = Date.now();
await smallFiles(work, dirs, perDir);
say(`data: ${DIRS} directories, ${perDir * DIRS} files written in ${secs(Date.now() - t)}`);

const policyFile = path.join(work, 'cycle.yaml');
fs.writeFileSync(
  policyFile,
  stringify({ service: `cycle-${id}`, datasets: dirs.map((d) => ({ hdfs: d })), copy: { mappers: 4, parallel: 4 } }),
);

/** hbackup's own peak RSS (not its tools' JVMs): the process writes it as it exits. */
const rssFile = path.join(work, 'rss');
const rssHook = `data:text/javascript,import fs from "node:fs"; process.on("exit", () => fs.writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)));`;

/** One `hbackup backup`: its report, wall time and peak RSS. */
async function backup(...flags) {
  const start = Date.now();
  const r = await execa('node', ['--import', rssHook, path.join(root, 'bin/hbackup.js'), 'backup', policyFile, '--json', ...flags], {
    env,
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  const rssMb = Number(fs.readFileSync(rssFile, 'utf8')) / 1024;
  return { report: JSON.parse(r.stdout.trim().split('\n')[0]), wallMs: Date.now() - start, rssMb };
}
const copied = (r) => r.report.datasets.reduce((n, d) => n + d.bytesCopied, 0);
const modes = (r) => [...new Set(r.report.datasets.map((d) => d.mode))].join('/');

t = Date.now();
const full = await backup();
say(
  `full backup: ${secs(full.wallMs)}, ${full.report.datasets.reduce((n, d) => n + d.verified.files, 0)} files, peak RSS ${full.rssMb.toFixed(0)} MB`,
);

const still = await backup('--checksums');
say(
  `cycle with nothing changed, verifying every file's checksum (${still.report.datasets.reduce((n, d) => n + d.verified.files, 0)} files): ${secs(still.wallMs)}, mode ${modes(still)}, peak RSS ${still.rssMb.toFixed(0)} MB`,
);
const nothing = [];
for (let i = 0; i < 3; i++) nothing.push(await backup());
say(
  `cycle with nothing changed (summary verification): ${nothing.map((r) => secs(r.wallMs)).join(', ')}; mode ${modes(nothing[0])}; peak RSS ${nothing[0].rssMb.toFixed(0)} MB`,
);

// 0.1 %: one file in a thousand rewritten (spread over every directory).
const change = async (round) => {
  let bytes = 0;
  const each = Math.max(1, Math.round(perDir / 1000));
  for (const d of dirs) {
    for (let f = 0; f < each; f++) {
      const data = `${'y'.repeat(150)} changed ${round} ${f}\n`;
      await h(east).createFile(`${d}/f${String(f * 997 + round).padStart(6, '0')}.txt`, data, true);
      bytes += data.length;
    }
  }
  return { files: each * DIRS, bytes };
};
const small = [];
for (let i = 0; i < 3; i++) {
  const c = await change(i + 1);
  const r = await backup();
  small.push(r);
  if (i === 0) say(`0.1 % cycle: ${c.files} files (${c.bytes} bytes) rewritten; copied ${copied(r)} bytes (${modes(r)})`);
}
say(`0.1 % cycle: ${small.map((r) => secs(r.wallMs)).join(', ')}; peak RSS ${small[0].rssMb.toFixed(0)} MB`);

// A touched target: a file added and one modified on the secondary, 1 MB changed on the source.
await h(west).createFile(`${dirs[0]}/intruder.txt`, 'written on the secondary\n', true);
await h(west).createFile(`${dirs[1]}/f000005.txt`, 'modified on the secondary\n', true);
const mb = Buffer.alloc(1024 * 1024, 7);
await h(east).createFile(`${dirs[2]}/new.bin`, mb, true);
const touched = await backup();
const ratio = copied(touched) / mb.length;
say(
  `touched target: ${touched.report.datasets.filter((d) => d.rolledBack).length} data set(s) rolled back (${touched.report.datasets
    .flatMap((d) => d.rolledBack ?? [])
    .join(
      ', ',
    )}); copied from the primary ${copied(touched)} bytes for ${mb.length} changed → ratio ${ratio.toFixed(3)}; modes ${modes(touched)}; ${secs(touched.wallMs)}`,
);

// The same cycles by hand, continuing from hbackup's last restore point: per directory, one after another.
let last = touched.report.restorePoint;
async function byHand(round) {
  const next = `hand-${round}`;
  const ms = await cycleByHand(dirs, last, next);
  last = next;
  return ms;
}
const handNothing = await byHand(1);
await change(9);
const handSmall = await byHand(2);
say(
  `by hand (snapshot, distcp -update -diff, target snapshot; ${DIRS} directories one after another): nothing changed ${secs(handNothing)}, 0.1 % ${secs(handSmall)}`,
);
say(
  `hbackup ÷ by hand: nothing changed ${(nothing[1].wallMs / handNothing).toFixed(2)}, 0.1 % ${(small[1].wallMs / handSmall).toFixed(2)}`,
);
fs.rmSync(work, { recursive: true, force: true });
