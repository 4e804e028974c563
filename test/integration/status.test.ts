// status, endpoint and init against the real sandbox: identities held by the sites, both sites
// healthy, then the primary hanging (SIGSTOP) and killed (SIGKILL): CRITICAL, said why, in time.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/identity/identity.js';
// @ts-expect-error the sandbox layout is plain JavaScript
import { siteLayout } from '../cluster/layout.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, stopSite } from '../cluster/sandbox.js';
import { east, ensureSandboxUp, hbackup, webhdfs, west } from './helpers.js';

const pids = (site: string): number[] => {
  const dir = (siteLayout(site, '') as { pidDir: string }).pidDir;
  return ['hdfs.pid', 'hbase.pid'].map((f) => Number(fs.readFileSync(path.join(dir, f), 'utf8').trim()));
};

describe('status, endpoint and identities', () => {
  beforeAll(ensureSandboxUp);
  afterAll(ensureSandboxUp);

  it('writes the identities once, reports both sites OK and names the primary as the endpoint', async () => {
    const init = await hbackup(['init']);
    expect(init.exitCode, String(init.stderr)).toBe(0);
    expect(String(init.stdout)).toMatch(/east: primary at epoch \d+/);
    const again = await hbackup(['init']);
    expect(String(again.stdout)).toMatch(/east: primary at epoch \d+ already\nwest: secondary at epoch \d+ already/);

    const r = await hbackup(['--json', 'status']);
    expect(r.exitCode, String(r.stdout)).toBe(0);
    const s = JSON.parse(String(r.stdout));
    expect(s).toMatchObject({ level: 'OK', applicationTarget: 'east', problems: [] });
    expect(s.sites.map((x: any) => [x.site, x.role, x.roleFrom, x.reachable, x.namenode.state, x.hbase.activeMaster])).toEqual([
      ['east', 'primary', 'identity', true, 'active', true],
      ['west', 'secondary', 'identity', true, 'active', true],
    ]);
    expect(s.sites[0].datanodes).toEqual({ live: 1, dead: 0 });
    expect(s.sites[0].clockSkewMs).toBeLessThan(2000);

    expect(String((await hbackup(['endpoint'])).stdout).trim()).toBe(east.fsUri);
    expect(String((await hbackup(['endpoint', '--format', 'env'])).stdout)).toContain(
      `HBACKUP_HBASE_ZOOKEEPER_QUORUM=127.0.0.1:${east.ports.zk}`,
    );
    expect(west.fsUri).not.toBe(east.fsUri);
  });

  it('says CRITICAL within its timeout when the primary hangs, and when it is killed', async () => {
    const stopped = pids('east');
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
    try {
      const hung = await hbackup(['--json', 'status', '--timeout', '2']);
      expect(hung.exitCode).toBe(2);
      const s = JSON.parse(String(hung.stdout));
      expect(s.level).toBe('CRITICAL');
      expect(s.problems[0].message).toMatch(/^east \(primary\): not reachable: .*(timeout|aborted)/i);
      expect(s.sites[1]).toMatchObject({ site: 'west', reachable: true });
    } finally {
      for (const pid of stopped) process.kill(pid, 'SIGCONT');
    }

    await stopSite('east', { crash: true });
    const dead = await hbackup(['status']);
    expect(dead.exitCode).toBe(2);
    expect(String(dead.stdout)).toMatch(/CRITICAL: east \(primary\): not reachable: .*ECONNREFUSED/);
    await startSite('east');
  });

  it('lets exactly one of ten control processes change an identity to the same epoch (a real HDFS rename decides)', async () => {
    const dir = `/it/identity-race-${Date.now().toString(36)}`;
    // Ten processes of their own, each writing west's identity at epoch 2 with hbackup's own code.
    const dist = (f: string) => pathToFileURL(path.resolve(import.meta.dirname, '..', '..', 'dist', f)).href;
    const script = (k: number) => `
      import { writeIdentity } from '${dist('identity/identity.js')}';
      import { WebHdfs } from '${dist('hdfs/webhdfs.js')}';
      const hdfs = new WebHdfs({ urls: ['http://127.0.0.1:${west.ports.nnHttp}'], user: '${west.user}' });
      const change = { site: 'west', role: 'primary', epoch: 2, reason: 'writer ${k}' };
      try { console.log(JSON.stringify({ won: (await writeIdentity(hdfs, change, new Date(), '${dir}')).reason })); }
      catch (e) { console.log(JSON.stringify({ lost: e.message })); }`;
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, k) => execa('node', ['--input-type=module', '-e', script(k)], { reject: false })),
    );
    const results = runs.map((r) => JSON.parse(String(r.stdout).trim().split('\n').at(-1) ?? '{}') as { won?: string; lost?: string });
    const won = results.filter((r) => r.won);
    expect(won, JSON.stringify(results)).toHaveLength(1);
    for (const r of results.filter((x) => !x.won)) {
      expect(r.lost).toContain('west already has an identity of epoch 2 (primary, from');
      expect(r.lost).toContain('another control host changed it first');
    }
    const held = await readIdentity(webhdfs(west), dir);
    expect(held?.reason).toBe(won[0]!.won);
    expect((await webhdfs(west).listStatus(dir)).map((f) => f.pathSuffix)).toEqual(['0000000002.json']);
  });
});
