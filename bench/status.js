#!/usr/bin/env node
// `hbackup status` latency against the running sandbox (npm run sandbox:up; built CLI): with both
// sites up, and with the primary hanging (its JVMs stopped with SIGSTOP) — median of 5 runs each.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { sandboxDir, siteLayout } from '../test/cluster/layout.js';

const root = path.resolve(import.meta.dirname, '..');
const env = { HBACKUP_CLUSTERS: path.join(sandboxDir(), 'clusters.yaml'), NO_COLOR: '1' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function status(args) {
  const walls = [];
  const inside = [];
  for (let i = 0; i < 5; i++) {
    const t = Date.now();
    const r = await execa('node', [path.join(root, 'bin/hbackup.js'), '--json', 'status', ...args], { env, reject: false });
    walls.push(Date.now() - t);
    inside.push(JSON.parse(r.stdout).durationMs);
  }
  return `status's own ${median(inside)} ms, command wall ${median(walls)} ms`;
}

console.log(`both sites up: ${await status([])}`);
const pidDir = siteLayout('east', '').pidDir;
const pids = ['hdfs.pid', 'hbase.pid'].map((f) => Number(fs.readFileSync(path.join(pidDir, f), 'utf8').trim()));
for (const pid of pids) process.kill(pid, 'SIGSTOP');
try {
  console.log(`primary hanging, --timeout 2: ${await status(['--timeout', '2'])}`);
} finally {
  for (const pid of pids) process.kill(pid, 'SIGCONT');
}
