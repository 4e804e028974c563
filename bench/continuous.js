#!/usr/bin/env node
// The RPO a continuous service holds, against the running sandbox (built CLI): `run-due --watch` with
// `schedule: every BENCH_EVERY` (default 5s) over one directory of BENCH_FILES files (default 10,000)
// while a writer adds a file every second, for BENCH_MINUTES minutes (default 10). Sampled every
// second: the RPO (now − the moment of the newest restore point that exists), and each run's cycle.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { WebHdfs } from '../dist/hdfs/webhdfs.js';
import { east, smallFiles, workspace } from './data.js';

const root = path.resolve(import.meta.dirname, '..');
const h = new WebHdfs({ urls: [`http://127.0.0.1:${east.ports.nnHttp}`], user: east.user });
const id = Date.now().toString(36);
const { work, env } = workspace('continuous');
const FILES = Number(process.env.BENCH_FILES ?? 10_000);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 10);
const EVERY = process.env.BENCH_EVERY ?? '5s';
const dir = `/bench/continuous-${id}/d`;
const say = (text) => console.log(text);

await smallFiles(work, [dir], FILES);

const policies = path.join(work, 'policies');
fs.mkdirSync(policies);
fs.writeFileSync(
  path.join(policies, 'live.yaml'),
  stringify({
    service: `live-${id}`,
    schedule: `every ${EVERY}`,
    datasets: [{ hdfs: dir }],
    verify: { checksums: true },
    retention: { primary: 3, secondary: { within: '2m', minutely: 10, hourly: 24 } },
  }),
);

const runs = [];
const child = spawn('node', [path.join(root, 'bin/hbackup.js'), '--json', 'run-due', '--watch', '--policies', policies], {
  env: { ...process.env, ...env },
  stdio: ['ignore', 'pipe', 'ignore'],
});
let out = '';
child.stdout.on('data', (c) => {
  out += c.toString();
  const lines = out.split('\n');
  out = lines.pop();
  for (const l of lines) if (l.startsWith('{')) runs.push({ ...JSON.parse(l), seenAt: Date.now() });
});

const momentOf = (name) => Date.parse(name.replace(/^.*-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
// The first (full) copy is not what a continuous service holds: sampling starts once the first
// incremental point exists after it.
while (runs.length < 2) await new Promise((r) => setTimeout(r, 200));
say(`first restore point (full copy of ${FILES} files): ${((runs[0].endedAt - runs[0].startedAt) / 1000).toFixed(1)} s`);
const samples = [];
let n = 0;
const end = Date.now() + MINUTES * 60_000;
while (Date.now() < end) {
  await h.createFile(`${dir}/w${String(n++).padStart(6, '0')}.txt`, `written at ${new Date().toISOString()}\n`, true);
  const ok = runs.filter((r) => r.result === 'ok' && r.restorePoint);
  samples.push((Date.now() - momentOf(ok.at(-1).restorePoint)) / 1000);
  await new Promise((r) => setTimeout(r, 1000));
}
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

const pct = (list, p) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const later = runs.slice(1);
const cycles = later.map((r) => (r.endedAt - r.startedAt) / 1000);
say(
  `${MINUTES} min, every ${EVERY}, a file written every second: ${later.length} runs, ${later.filter((r) => r.result !== 'ok').length} failed`,
);
say(`cycle: median ${pct(cycles, 50).toFixed(2)} s, p99 ${pct(cycles, 99).toFixed(2)} s, max ${Math.max(...cycles).toFixed(2)} s`);
say(
  `RPO held (sampled each second): median ${pct(samples, 50).toFixed(1)} s, p99 ${pct(samples, 99).toFixed(1)} s, max ${Math.max(...samples).toFixed(1)} s`,
);
fs.rmSync(work, { recursive: true, force: true });
