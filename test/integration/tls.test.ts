// A secondary that serves WebHDFS over HTTPS only (the sandbox's `tls` site: NameNode and DataNode
// with a certificate from a CA this test run made with keytool). Certificates are verified by
// default: without the CA, one line says what is wrong and what to set, and nothing changes; with
// `tls.ca`, a verified backup; with `tls.insecure`, a backup that says on the run that nothing is verified.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { makePutData } from '../../src/hdfs/put-data.js';
import { WebHdfs } from '../../src/hdfs/webhdfs.js';
import { makeHttpFetch } from '../../src/http/client.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startTls, stopOne } from '../cluster/one.js';
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

describe('a secondary over HTTPS', () => {
  let site: SiteInfo & { nameNodeHttps: number; caPem: string };
  beforeAll(async () => {
    await ensureSandboxUp();
    site = await startTls();
  });
  afterAll(() => stopOne('tls'));

  it('verifies certificates by default: refused without the CA, verified with tls.ca, said on every run when off', async () => {
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const endpoint = `https://127.0.0.1:${site.nameNodeHttps}`;
    const write = (tls?: Record<string, unknown>) => {
      const file = path.join(tmpDir('tls-clusters'), 'clusters.yaml');
      const secure = {
        role: 'secondary',
        webhdfs: endpoint,
        fs: site.fsUri,
        user: site.user,
        tools: { hadoop: `${site.binDir}/hadoop`, hdfs: `${site.binDir}/hdfs`, hbase: `${site.binDir}/hbase` },
        ...(tls ? { tls } : {}),
      };
      fs.writeFileSync(file, stringify({ clusters: { east: sandbox.clusters.east, tls: secure } }));
      return file;
    };
    const dir = `/it/tls-${id}/d`;
    await putTree(east, dir, { 'one.txt': 'over https', 'sub/two.bin': Buffer.alloc(200_000, 9) });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `tls-${id}`, datasets: [{ hdfs: dir }] });

    const untrusted = await hbackup(['backup', policy, '--json', '--clusters', write()]);
    expect(untrusted.exitCode).toBe(3);
    expect(jsonLines(String(untrusted.stdout))[0]!.error).toMatch(
      /tls \(secondary\) is not reachable: .*certificate not trusted: signed by a CA this host does not know \(give it in tls\.ca\) \(SELF_SIGNED_CERT_IN_CHAIN\)/,
    );
    const doctor = await hbackup(['doctor', '--clusters', write()]);
    expect(doctor.exitCode).toBe(2);
    expect(String(doctor.stdout)).toMatch(/^FAIL tls endpoint: https:\/\/127\.0\.0\.1:\d+ does not answer: certificate not trusted/m);
    const doctorCa = await hbackup(['doctor', '--clusters', write({ ca: site.caPem })]);
    expect(String(doctorCa.stdout)).toContain('ok   tls datanode: a DataNode took a file through WebHDFS');
    expect(String(doctorCa.stdout)).not.toContain('FAIL');
    // Refused in preflight: no snapshot was taken.
    expect(await webhdfs(east).listStatus(`${dir}/.snapshot`)).toEqual([]);

    const r = await hbackup(['backup', policy, '--json', '--checksums', '--verbose', '--clusters', write({ ca: site.caPem })]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain(`PUT ${endpoint}/webhdfs/v1${dir}?op=CREATESNAPSHOT`);
    // The catalog entry went to the DataNode over HTTPS too.
    expect(String(r.stderr)).toMatch(/DataNode PUT https:\/\/127\.0\.0\.1:\d+\/webhdfs\/v1\/\.hbackup\/catalog\//);
    expect(String(r.stderr)).not.toContain('verification is OFF');
    const report = jsonLines(String(r.stdout))[0]!;
    expect(report).toMatchObject({ result: 'ok', datasets: [{ verified: { checksums: true } }] });
    const ca = fs.readFileSync(site.caPem);
    const secure = new WebHdfs({
      urls: [endpoint],
      user: site.user,
      fetch: makeHttpFetch({ ca, rejectUnauthorized: true }),
      putData: makePutData({ ca, rejectUnauthorized: true }),
    });
    const name = report.restorePoint as string;
    const there = await secure.listRecursive(`${dir}/.snapshot/${name}`);
    const here = await tree(east, `${dir}/.snapshot/${name}`);
    expect(there.map((e) => `${e.rel} ${e.status.length}`).sort()).toEqual(here.map((e) => `${e.rel} ${e.length}`).sort());
    for (const e of here.filter((x) => x.type === 'FILE')) {
      expect((await secure.fileChecksum(`${dir}/.snapshot/${name}/${e.rel}`)).bytes).toBe(e.checksum);
    }

    const status = await hbackup(['status', '--json', '--clusters', write({ ca: site.caPem })]);
    expect(JSON.parse(String(status.stdout)).sites.find((s: { site: string }) => s.site === 'tls')).toMatchObject({ reachable: true });

    await putTree(east, dir, { 'three.txt': 'later' });
    const insecure = await hbackup(['backup', policy, '--json', '--clusters', write({ insecure: true })]);
    expect(insecure.exitCode, String(insecure.stderr)).toBe(0);
    expect(String(insecure.stderr)).toContain('TLS certificate verification is OFF for tls (tls.insecure)');
    expect(jsonLines(String(insecure.stdout))[0]).toMatchObject({ result: 'ok', datasets: [{ mode: 'incremental' }] });
  });
});
