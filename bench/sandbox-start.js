#!/usr/bin/env node
// Prints how long a fresh sandbox takes to start (both sites side by side) and each JVM's peak
// memory (VmHWM). Runs in a directory and on ports of its own, so a running sandbox is not touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.HBACKUP_SANDBOX_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-sandbox-'));
process.env.HBACKUP_SANDBOX_EAST_PORT_BASE ??= '24000';
process.env.HBACKUP_SANDBOX_WEST_PORT_BASE ??= '25000';
const { up, down } = await import('../test/cluster/sandbox.js');
const { siteLayout, SITE_NAMES } = await import('../test/cluster/layout.js');

const kb = (pid, field) => {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : NaN;
};
const mb = (k) => `${(k / 1024).toFixed(0)} MB`;

try {
  const r = await up();
  console.log(`sandbox start, fresh, both sites side by side: ${r.seconds.toFixed(1)} s`);
  for (const name of SITE_NAMES) {
    const s = siteLayout(name, '');
    const site = r.sites.find((x) => x.site === name);
    const mem = ['hdfs', 'hbase'].map((proc) => {
      const pid = Number(fs.readFileSync(path.join(s.pidDir, `${proc}.pid`), 'utf8'));
      return `${proc} JVM peak ${mb(kb(pid, 'VmHWM'))} (now ${mb(kb(pid, 'VmRSS'))})`;
    });
    console.log(`  ${name}: ready after ${site.seconds.toFixed(1)} s; ${mem.join(', ')}`);
  }
} finally {
  await down({ wipe: true });
}
