// status and endpoint in-process against in-memory clusters: roles from the identities the sites
// hold, the higher epoch winning, a stale old primary; an unreachable primary is CRITICAL.
import fs from 'node:fs';
import path from 'node:path';
// @ts-expect-error the parser ships without types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { world } from '../fakes/world.js';

const identity = (site: string, role: string, epoch: number) =>
  JSON.stringify({ site, role, epoch, changedAt: '2026-11-25T00:00:00Z', host: 'h', reason: 'test' });

describe('status', () => {
  it('takes the roles from the identities, once init has written them', async () => {
    const w = world();
    const before = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status')).stdout);
    expect(before.sites.map((s: any) => s.roleFrom)).toEqual(['clusters file', 'clusters file']);
    expect(before.problems[0].message).toContain('run hbackup init');
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect(w.east.read('/.hbackup/identity/0000000001.json')?.toString()).toContain('"role": "primary"');
    const after = await w.cli('--json', '--clusters', w.clustersFile, 'status');
    const s = JSON.parse(after.stdout);
    expect(s.sites.map((x: any) => [x.site, x.role, x.roleFrom, x.identity.epoch])).toEqual([
      ['east', 'primary', 'identity', 1],
      ['west', 'secondary', 'identity', 1],
    ]);
    expect(s.applicationTarget).toBe('east');
    // init again changes nothing; init against the identities' roles needs --force
    expect((await w.cli('--clusters', w.clustersFile, 'init')).stdout).toContain('east: primary at epoch 1 already');
  });

  it('sends applications to the higher epoch and calls the old primary stale', async () => {
    const w = world();
    w.east.write('/.hbackup/identity/0000000001.json', identity('east', 'primary', 1));
    w.west.write('/.hbackup/identity/0000000002.json', identity('west', 'primary', 2));
    const r = await w.cli('--json', '--clusters', w.clustersFile, 'status');
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout);
    expect(s.applicationTarget).toBe('west');
    expect(s.sites.map((x: any) => [x.site, x.role, x.stale])).toEqual([
      ['east', 'secondary', true],
      ['west', 'primary', false],
    ]);
    expect(s.problems.map((p: any) => p.message)).toContain(
      'east (secondary): stale: it claims primary at epoch 1, the other site holds epoch 2; run hbackup failback',
    );
    expect((await w.cli('--clusters', w.clustersFile, 'endpoint')).stdout.trim()).toBe('hdfs://west');
  });

  it('warns when the two sites disagree on the time, even when each is within the limit of this host', async () => {
    const w = world();
    w.east.clockMs = 25_000;
    w.west.clockMs = -25_000;
    const r = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status')).stdout);
    expect(r.sites.map((s: any) => s.level)).toEqual(['OK', 'OK']);
    expect(r.problems.map((p: any) => p.message)).toContain(
      'the clocks of east and west are 50.0 s apart: fix NTP (moments and retention rely on one clock)',
    );
  });

  it('is CRITICAL when the primary does not answer, WARNING when the secondary does not', async () => {
    const w = world();
    w.east.down = true;
    const metrics = path.join(w.dir, 'status.prom');
    const r = await w.cli('--clusters', w.clustersFile, 'status', '--metrics-file', metrics);
    expect(r.code).toBe(2);
    const families = parsePrometheusTextFormat(fs.readFileSync(metrics, 'utf8')) as {
      name: string;
      metrics: { labels: Record<string, string>; value: string }[];
    }[];
    expect(families.find((f) => f.name === 'hbackup_site_status_level')?.metrics).toEqual([
      { labels: { site: 'east', role: 'primary' }, value: '2' },
      { labels: { site: 'west', role: 'secondary' }, value: '0' },
    ]);
    expect(families.find((f) => f.name === 'hbackup_site_up')?.metrics.map((m) => m.value)).toEqual(['0', '1']);
    expect(r.stdout).toMatch(/CRITICAL: east \(primary\): not reachable: .*ECONNREFUSED/);
    w.east.down = false;
    w.west.down = true;
    expect((await w.cli('--clusters', w.clustersFile, 'status')).code).toBe(1);
  });
});

describe('roles from identities', () => {
  it('backs up from the site holding the primary identity, whatever the clusters file says', async () => {
    const w = world();
    w.west.write('/.hbackup/identity/0000000002.json', identity('west', 'primary', 2));
    w.east.write('/.hbackup/identity/0000000002.json', identity('east', 'secondary', 2));
    w.west.mkdirs('/d');
    w.west.write('/d/f.txt', 'written on west after the failover');
    w.west.allowSnapshot('/d');
    const policy = w.policy({ service: 'moved', datasets: [{ hdfs: '/d' }] });
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('moved: preflight (west → east)');
    expect(w.east.read('/d/f.txt')?.toString()).toBe('written on west after the failover');
    expect(w.rec.commands[0]!.argv.slice(-2)).toEqual(['hdfs://west/d/.snapshot/hb-moved-20261125T020000Z', 'hdfs://east/d']);
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.secondary).toBe('east');
  });

  it('refuses to back up while the old primary is stale, naming the command to run', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    w.east.write('/.hbackup/identity/0000000001.json', identity('east', 'primary', 1));
    w.west.write('/.hbackup/identity/0000000002.json', identity('west', 'primary', 2));
    const policy = w.policy({ service: 'stale', datasets: [{ hdfs: '/d' }] });
    const r = await w.cli('backup', policy);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('east is stale: it claims primary at epoch 1, west holds primary at epoch 2; run hbackup failback');
    expect(w.east.snapshots('/d')).toEqual([]);
  });
});

describe('status, said rather than left out', () => {
  it('lists a service whose restore points cannot be read, and one of another pair, each with a warning', async () => {
    const w = world();
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'svc.yaml'), fs.readFileSync(w.policy({ service: 'svc', datasets: [{ hdfs: '/raw' }] })));
    w.west.down = true;
    const r = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status', '--policies', dir)).stdout);
    expect(r.services).toEqual([expect.objectContaining({ service: 'svc', newestRestorePoint: null })]);
    expect(r.problems.map((p: any) => p.message)).toContain('svc: its restore points cannot be read: west does not answer');
  });
});

describe('status of a continuous service', () => {
  it('shows its RPO (the newest point’s age) in seconds, the cycle that made it and its interval', async () => {
    const w = world();
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    w.source('/raw', { 'a.txt': 'a' });
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    const policy = w.policy({ service: 'live', schedule: 'every 30s', datasets: [{ hdfs: '/raw' }] });
    fs.copyFileSync(policy, path.join(dir, 'live.yaml'));
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.later(42_000);
    const json = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status', '--policies', dir)).stdout);
    const [live] = json.services;
    expect(live).toMatchObject({ service: 'live', ageSeconds: 42, intervalSeconds: 30 });
    expect(live.cycleSeconds).toBeGreaterThanOrEqual(0);
    const text = await w.cli('--clusters', w.clustersFile, 'status', '--policies', dir);
    expect(text.stdout).toMatch(/live\s+hb-live-\S+, 42 s old \(cycle \d+\.\d s, every 30 s\)/);
  });
});
