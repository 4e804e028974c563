// `hbackup doctor` against the sandbox's two sites: every check answers from the real clusters (the
// NameNodes' JMX and /conf, a probe written through a DataNode and removed, the tools' own version
// lines), and a bad setting is one line with its fix.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { clustersFile, east, ensureSandboxUp, hbackup, tmpDir, webhdfs } from './helpers.js';

describe('doctor', () => {
  it('checks both sites: endpoints, authentication, clock, versions, open files, a DataNode, rights and tools', async () => {
    await ensureSandboxUp();
    const r = await hbackup(['doctor', '--json', '--clusters', clustersFile]);
    const report = JSON.parse(String(r.stdout));
    // The sandbox's NameNodes are set as doctor recommends: all well, exit 0.
    expect(r.exitCode, String(r.stdout)).toBe(0);
    expect(report.result).toBe('ok');
    const lines = report.findings.map(
      (f: { site: string; check: string; level: string; text: string }) => `${f.level} ${f.site} ${f.check}: ${f.text}`,
    );
    for (const site of ['east', 'west']) {
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^ok ${site} endpoint: http://127\\.0\\.0\\.1:\\d+ answers: active$`)),
          `ok ${site} authentication: WebHDFS answers ${east.user} (simple authentication)`,
          `ok ${site} version: NameNode: Hadoop 3.3.5`,
          `ok ${site} datanode: a DataNode took a file through WebHDFS`,
          `ok ${site} tools: hadoop: Hadoop 3.3.5`,
          expect.stringMatching(new RegExp(`^ok ${site} tools: hbase: HBase 2\\.6\\.1`)),
          `ok ${site} open files: snapshots capture files open for writing`,
        ]),
      );
    }
    expect(report.findings.filter((f: { level: string }) => f.level === 'fail')).toEqual([]);
    expect(report.versions.east).toMatchObject({ namenode: '3.3.5', hadoop: '3.3.5' });
    // The probe is gone again.
    expect((await webhdfs(east).listStatus('/.hbackup')).map((s) => s.pathSuffix).filter((n) => n.startsWith('doctor-'))).toEqual([]);
  });

  it('says what is wrong and what to set: a NameNode that does not answer, a tool that is not there', async () => {
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const file = path.join(tmpDir('doctor'), 'clusters.yaml');
    fs.writeFileSync(
      file,
      stringify({
        clusters: {
          east: { ...sandbox.clusters.east, webhdfs: [sandbox.clusters.east!.webhdfs, 'http://127.0.0.1:1'].flat() },
          west: { ...sandbox.clusters.west, tools: { ...sandbox.clusters.west!.tools, hadoop: '/opt/none/hadoop' } },
        },
      }),
    );
    const r = await hbackup(['doctor', '--clusters', file]);
    expect(r.exitCode).toBe(2);
    const out = String(r.stdout);
    expect(out).toMatch(
      /^FAIL east endpoint: http:\/\/127\.0\.0\.1:1 does not answer: connection refused \(ECONNREFUSED\) — fix: check the host and port/m,
    );
    expect(out).toMatch(/^ok {3}east endpoint: http:\/\/127\.0\.0\.1:\d+ answers: active$/m);
    expect(out).toContain(
      "FAIL west tools: west's hadoop (/opt/none/hadoop) cannot be run from this host: set clusters.west.tools.hadoop to its path",
    );
    expect(out).toMatch(/^doctor: failures — 2 failure\(s\), 0 warning\(s\)$/m);
  });
});
