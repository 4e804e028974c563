#!/usr/bin/env node
// RTO of an emergency failover of the demo service (policies/demo.yaml: two directories and a table
// of 1,000+ orders; run `npm run demo` first), against the running sandbox: the primary (east) is
// killed, then `hbackup failover --yes` runs — from command start to the new endpoint printed.
// Then east is started again and failed back (`failback --yes --switch`), and that is timed too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { sandboxDir } from '../test/cluster/layout.js';
import { startSite, stopSite } from '../test/cluster/sandbox.js';

const root = path.resolve(import.meta.dirname, '..');
const policies = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-bench-fo-'));
fs.copyFileSync(path.join(root, 'policies/demo.yaml'), path.join(policies, 'demo.yaml'));
const env = {
  HBACKUP_CLUSTERS: path.join(sandboxDir(), 'clusters.yaml'),
  HBACKUP_STATE_DIR: path.join(sandboxDir(), 'state'),
  NO_COLOR: '1',
};
const hbackup = async (...args) => {
  const t = Date.now();
  const r = await execa('node', [path.join(root, 'bin/hbackup.js'), ...args], { env, reject: false });
  if (r.exitCode !== 0) throw new Error(`hbackup ${args.join(' ')} exited with ${r.exitCode}:\n${r.stderr}`);
  return { ms: Date.now() - t, stdout: r.stdout };
};

await hbackup('backup', path.join(policies, 'demo.yaml'));
await stopSite('east', { crash: true });
const fo = await hbackup('--json', 'failover', '--policies', policies, '--yes');
const report = JSON.parse(fo.stdout);
console.log(
  `emergency failover of the demo service (east killed): RTO ${fo.ms} ms command wall, ${report.durationMs} ms inside; ` +
    `RPO ${report.services.map((s) => `${s.service} ${s.rpoSeconds} s`).join(', ')}; endpoint ${report.endpoint.fsDefaultFS}`,
);
await startSite('east');
const fb = await hbackup('--json', 'failback', '--policies', policies, '--yes', '--switch');
console.log(`failback --switch (quarantine, roll back, copy forward, planned switchover): ${fb.ms} ms`);
fs.rmSync(policies, { recursive: true, force: true });
