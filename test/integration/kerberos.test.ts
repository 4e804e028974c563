// A Kerberized cluster (the sandbox's `krb` site: a KDC from Hadoop's MiniKdc, Kerberos RPC, SASL
// data transfer, HTTPS and SPNEGO on WebHDFS). hbackup gets a delegation token with the site's own
// tools (hadoop dtutil, from the keytab) — no native module, no kinit — backs up from the simple
// site to the secure one (full, then incremental), verified checksum by checksum, and restores back
// out of it onto the simple site. A wrong keytab and a ticket cache
// without a ticket are one line each, exit 3, nothing changed; no token appears in any output or log.
// The site's HiveServer2 asks for Kerberos too (it takes no HDFS token): Beeline logs in from the
// same keytab (or ticket cache); a table backed up into the secure site is queryable there, and a wrong server
// principal is refused in one line, exit 3, before anything is copied.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadClusters } from '../../src/config/load.js';
import { makePutData } from '../../src/hdfs/put-data.js';
import { WebHdfs } from '../../src/hdfs/webhdfs.js';
import { makeHttpFetch } from '../../src/http/client.js';
import { releaseCredentials } from '../../src/kerberos/credentials.js';
import { readTokenFile } from '../../src/kerberos/token.js';
import { openSite } from '../../src/sites/site.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { hiveLayout, startHive, stopHive, writeBeeline } from '../cluster/hive.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startKrb, stopOne } from '../cluster/one.js';
import {
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  putTree,
  runId,
  type SiteInfo,
  tmpDir,
  tool,
  tree,
  webhdfs,
  writePolicy,
} from './helpers.js';

const id = runId();
type KrbSite = SiteInfo & {
  nameNodeHttps: number;
  caPem: string;
  realm: string;
  keytabs: { hbackup: string; other: string; cache: string };
};

describe('a Kerberized cluster', () => {
  let krb: KrbSite;
  let secure: WebHdfs;
  beforeAll(async () => {
    await ensureSandboxUp();
    krb = await startKrb();
    // The test's own view of the secure site: a token of its own, from the site's own tools.
    const file = path.join(tmpDir('krb-token'), 'token');
    const principal = `hdfs@${krb.realm}`;
    await tool(krb, 'hadoop', [
      'dtutil',
      '-keytab',
      krb.keytabs.hbackup,
      '-principal',
      principal,
      'get',
      krb.fsUri,
      '-format',
      'java',
      file,
    ]);
    const token = readTokenFile(fs.readFileSync(file))[0]!.urlString;
    const tls = { ca: fs.readFileSync(krb.caPem), rejectUnauthorized: true };
    secure = new WebHdfs({
      urls: [`https://127.0.0.1:${krb.nameNodeHttps}`],
      user: 'hdfs',
      fetch: makeHttpFetch(tls),
      putData: makePutData(tls),
      delegation: { token: async () => token, renew: async () => token },
    });
  });
  afterAll(async () => {
    await stopHive('east');
    await stopOne('krb');
  });

  const clusters = (kerberos: Record<string, unknown>, roles: { krb: string; east: string }, hive?: { jdbcUrl: string }) => {
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const file = path.join(tmpDir('krb-clusters'), 'clusters.yaml');
    const site = {
      role: roles.krb,
      webhdfs: `https://127.0.0.1:${krb.nameNodeHttps}`,
      fs: krb.fsUri,
      tools: { hadoop: `${krb.binDir}/hadoop`, hdfs: `${krb.binDir}/hdfs`, hbase: `${krb.binDir}/hbase`, beeline: `${krb.binDir}/beeline` },
      tls: { ca: krb.caPem },
      kerberos,
      ...(hive ? { hive } : {}),
    };
    fs.writeFileSync(file, stringify({ clusters: { east: { ...sandbox.clusters.east, role: roles.east }, krb: site } }));
    return file;
  };
  const keytab = () => ({ principal: `hdfs@${krb.realm}`, keytab: krb.keytabs.hbackup });

  it('refuses a wrong keytab and a ticket cache without a ticket in one line, exit 3, changing nothing', async () => {
    const dir = `/it/krb-${id}/refused`;
    await putTree(east, dir, { 'a.txt': 'a' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `krbno-${id}`, copy: { initiator: 'secondary' }, datasets: [{ hdfs: dir }] });
    const roles = { east: 'primary', krb: 'secondary' };
    for (const [kerberos, said] of [
      [{ principal: `hdfs@${krb.realm}`, keytab: krb.keytabs.other }, `hdfs@${krb.realm} with the keytab ${krb.keytabs.other}`],
      [{ ticketCache: path.join(tmpDir('krb-cache'), 'krb5cc_none') }, 'the ticket cache '],
    ] as const) {
      const r = await hbackup(['backup', policy, '--clusters', clusters(kerberos, roles)]);
      expect(r.exitCode, String(r.stderr)).toBe(3);
      const errors = String(r.stderr)
        .split('\n')
        .filter((l) => l.includes('error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`krb: no delegation token as ${said}`);
      expect(errors[0]).toContain('check the principal and keytab (klist -kt), or renew the ticket (kinit)');
      expect(String(r.stderr)).not.toMatch(/\n\s+at /);
    }
    expect(await webhdfs(east).listStatus(`${dir}/.snapshot`)).toEqual([]);
  });

  it('backs up from the simple site to the secure one and back, verified, no token in any output or log', async () => {
    const log = path.join(tmpDir('krb-log'), 'hbackup.log');
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const r = await hbackup([...args, '--verbose', '--log-file', log]);
      outputs.push(String(r.stdout), String(r.stderr));
      expect(r.exitCode, String(r.stderr)).toBe(0);
      return jsonLines(String(r.stdout))[0]!;
    };

    // East (simple) → krb (Kerberized): krb's tools pull, with the token file.
    const dir = `/it/krb-${id}/to-secure`;
    await putTree(east, dir, { 'one.txt': 'into kerberos', 'sub/two.bin': Buffer.alloc(150_000, 5) });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const toSecure = writePolicy({ service: `krbin-${id}`, copy: { initiator: 'secondary' }, datasets: [{ hdfs: dir }] });
    const forward = clusters(keytab(), { east: 'primary', krb: 'secondary' });
    const first = await run(['backup', toSecure, '--json', '--checksums', '--clusters', forward]);
    expect(first).toMatchObject({ result: 'ok', datasets: [{ mode: 'full', verified: { files: 2, checksums: true } }] });
    const name = first.restorePoint as string;
    const there = await secure.listRecursive(`${dir}/.snapshot/${name}`);
    const here = await tree(east, `${dir}/.snapshot/${name}`);
    expect(there.map((e) => `${e.rel} ${e.status.length}`).sort()).toEqual(here.map((e) => `${e.rel} ${e.length}`).sort());
    for (const e of here.filter((x) => x.type === 'FILE')) {
      expect((await secure.fileChecksum(`${dir}/.snapshot/${name}/${e.rel}`)).bytes).toBe(e.checksum);
    }
    await putTree(east, dir, { 'three.txt': 'incremental into kerberos' });
    const second = await run(['backup', toSecure, '--json', '--checksums', '--clusters', forward]);
    expect(second).toMatchObject({ result: 'ok', datasets: [{ mode: 'incremental', filesCopied: 1 }] });

    // And back: the restore point, out of the Kerberized site onto the simple one, beside the live data.
    const back = await run(['restore', toSecure, '--json', '--on', 'primary', '--suffix', '_back', '--yes', '--clusters', forward]);
    expect(back).toMatchObject({ result: 'ok' });
    const restored = await tree(east, `${dir}_back`);
    const latest = await tree(east, `${dir}/.snapshot/${second.restorePoint}`);
    expect(restored).toEqual(latest);
    expect(restored.map((e) => e.rel)).toEqual(expect.arrayContaining(['one.txt', 'sub/two.bin', 'three.txt']));

    // Every URL shown hides the token; the run's token was cancelled and its files removed.
    const all = `${outputs.join('\n')}\n${fs.readFileSync(log, 'utf8')}`;
    expect(all).toContain('delegation=***');
    expect(all).not.toMatch(/delegation=(?!\*\*\*)/);
    expect(all).not.toContain(fs.readFileSync(krb.keytabs.hbackup).toString('base64').slice(0, 40));
    expect(all).not.toContain('could not be cancelled');
    expect(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('hbackup-tokens-'))).toEqual([]);
  });

  it('doctor: authenticates with the token, finds the active NameNode over WebHDFS, and says to set kerberos when it is missing', async () => {
    const well = await hbackup(['doctor', '--clusters', clusters(keytab(), { east: 'primary', krb: 'secondary' })]);
    const out = String(well.stdout);
    expect(out).toMatch(/^ok {3}krb endpoint: https:\/\/127\.0\.0\.1:\d+ answers: active$/m);
    expect(out).toContain(`ok   krb authentication: WebHDFS answers hdfs@${krb.realm} (Kerberos: a delegation token from hadoop dtutil)`);
    expect(out).toContain('ok   krb datanode: a DataNode took a file through WebHDFS');
    expect(out).not.toContain('FAIL');
    // status: the secure site reachable through the token, its NameNode active (its JMX asks for SPNEGO).
    const status = await hbackup(['status', '--json', '--clusters', clusters(keytab(), { east: 'primary', krb: 'secondary' })]);
    const secure = JSON.parse(String(status.stdout)).sites.find((s: { site: string }) => s.site === 'krb');
    expect(secure).toMatchObject({ reachable: true, namenode: { state: 'active' } });
    const plain = path.join(tmpDir('krb-clusters'), 'plain.yaml');
    const file = parse(fs.readFileSync(clusters(keytab(), { east: 'primary', krb: 'secondary' }), 'utf8'));
    delete file.clusters.krb.kerberos;
    fs.writeFileSync(plain, stringify(file));
    const sick = await hbackup(['doctor', '--clusters', plain]);
    expect(sick.exitCode).toBe(2);
    expect(String(sick.stdout)).toMatch(
      /^FAIL krb authentication: WebHDFS refused hdfs: .*asks for Kerberos \(SPNEGO\): the cluster is Kerberized; set clusters\.krb\.kerberos/m,
    );
  });

  it('Hive: Beeline logs in from the keytab or the ticket cache; a table backed up into the secure site is queryable there; a wrong server principal is refused in one line, exit 3', async () => {
    writeBeeline('krb');
    writeBeeline('east');
    await Promise.all([startHive('east'), startHive('krb')]);
    const { jdbcUrl } = hiveLayout('krb');
    const db = `krbhive_${id}`;
    const dir = `/it/krb-${id}/hive`;
    const days = { '2024-01-01': '1,9.50\n2,3.25\n', '2024-01-02': '3,1.00\n' };
    await putTree(east, dir, Object.fromEntries(Object.entries(days).map(([d, text]) => [`sales/day=${d}/part-0.csv`, text])));
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const ddl = [
      `CREATE DATABASE ${db}`,
      `CREATE EXTERNAL TABLE ${db}.sales (id INT, amount DECIMAL(10,2)) PARTITIONED BY (day STRING) ` +
        `ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE LOCATION '${dir}/sales'`,
      ...Object.keys(days).map((d) => `ALTER TABLE ${db}.sales ADD PARTITION (day='${d}')`),
    ];
    await tool(east, 'beeline', ['-u', hiveLayout('east').jdbcUrl, '--silent=true'], `${ddl.join(';\n')};\n`);

    // East (simple) → krb: krb's tools pull the data, krb's Beeline (Kerberos, from the keytab) writes its metastore.
    const policy = writePolicy({
      service: `krbhive-${id}`,
      copy: { initiator: 'secondary' },
      datasets: [{ hdfs: dir }, { hive: `${db}.sales` }],
    });
    const forward = clusters(keytab(), { east: 'primary', krb: 'secondary' }, { jdbcUrl });
    const r = await hbackup(['backup', policy, '--json', '--clusters', forward]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(jsonLines(String(r.stdout))[0]).toMatchObject({
      result: 'ok',
      datasets: [
        { type: 'hdfs', mode: 'full' },
        { type: 'hive', source: `${db}.sales`, mode: 'full', verified: { partitions: 2 } },
      ],
    });
    expect(String(r.stderr)).not.toContain(fs.readFileSync(krb.keytabs.hbackup).toString('base64').slice(0, 40));

    // On the secure site, through hbackup's own Hive client (the clusters file's keytab): the table, its partitions there, its rows.
    const cluster = loadClusters(forward).clusters.clusters.krb!;
    const secureHive = openSite({ ...cluster, name: 'krb' }).hive!;
    try {
      const [partitions, rows, located] = await secureHive.run([
        `SHOW PARTITIONS ${db}.sales`,
        // Rows read by a fetch task: local MapReduce's shuffle on a secure cluster wants Hadoop's native code.
        `SELECT id FROM ${db}.sales`,
        `DESCRIBE FORMATTED ${db}.sales`,
      ]);
      expect(partitions!.map((p) => p[0])).toEqual(['day=2024-01-01', 'day=2024-01-02']);
      expect(rows!.map((x) => Number(x[0])).sort()).toEqual([1, 2, 3]);
      expect(located!.flat().join(' ')).toContain(`${krb.fsUri}${dir}/sales`);
    } finally {
      expect(await releaseCredentials()).toEqual([]);
    }

    // The same from a ticket cache (as kinit fills it) instead of the keytab: a partition added reaches the secure metastore.
    await putTree(east, dir, { 'sales/day=2024-01-03/part-0.csv': '4,5.00\n' });
    await tool(
      east,
      'beeline',
      ['-u', hiveLayout('east').jdbcUrl, '--silent=true'],
      `ALTER TABLE ${db}.sales ADD PARTITION (day='2024-01-03');\n`,
    );
    const cached = await hbackup([
      'backup',
      policy,
      '--json',
      '--clusters',
      clusters({ ticketCache: krb.keytabs.cache }, { east: 'primary', krb: 'secondary' }, { jdbcUrl }),
    ]);
    expect(cached.exitCode, String(cached.stderr)).toBe(0);
    expect(jsonLines(String(cached.stdout))[0]).toMatchObject({
      result: 'ok',
      datasets: [{ mode: 'incremental' }, { mode: 'incremental', verified: { partitions: 3 } }],
    });

    // A server principal that is not HiveServer2's: refused before anything is snapshotted or copied,
    // in one line naming Kerberos and what to check, exit 3.
    await putTree(east, dir, { 'sales/day=2024-01-02/part-1.csv': '4,2.00\n' });
    const wrong = clusters(
      keytab(),
      { east: 'primary', krb: 'secondary' },
      { jdbcUrl: jdbcUrl.replace('principal=hive/', 'principal=nobody/') },
    );
    const refused = await hbackup(['backup', policy, '--clusters', wrong]);
    expect(refused.exitCode).toBe(3);
    const said = String(refused.stderr);
    expect(said.split('\n').filter((l) => l.includes('error:'))).toEqual([
      expect.stringMatching(/Hive on krb refused hbackup's Kerberos login: .*GSS initiate failed.*; check hive\.jdbcUrl's principal=/),
    ]);
    expect((await webhdfs(east).listStatus(`${dir}/.snapshot`)).length).toBe(2);
    expect(await secure.listStatus(`${dir}/sales/day=2024-01-02`).then((l) => l.map((f) => f.pathSuffix))).toEqual(['part-0.csv']);
    expect(said).not.toMatch(/\n\s+at /);
  });
});
