// What doctor makes of the versions it read: each site's tools against its NameNode, and the two
// sites against each other; a probe that cannot be removed; a metrics file that cannot be read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { versionFindings } from '../../src/flows/doctor/doctor.js';
import { writeBackupMetrics } from '../../src/metrics/prometheus.js';
import { world } from '../fakes/world.js';

describe('doctor: versions', () => {
  it('finds nothing to say when both sites and their tools run the same major version', () => {
    expect(versionFindings({ east: { namenode: '3.3.5', hadoop: '3.3.6' }, west: { namenode: '3.4.1', hadoop: '3.4.1' } })).toEqual([]);
  });

  it('warns of tools of another major version, and of sites of different majors; fails a Hadoop without -diff', () => {
    const found = versionFindings({ east: { namenode: '3.3.5', hadoop: '2.10.2' }, west: { namenode: '2.6.0' } });
    expect(found.map((f) => `${f.level} ${f.site}: ${f.text}`)).toEqual([
      'warn east: its tools are Hadoop 2.10.2, its NameNode Hadoop 3.3.5',
      'fail west: Hadoop 2.6.0 has no DistCp -diff (incremental copies need 2.7 or later)',
      expect.stringMatching(/^warn \*: the sites run different Hadoop major versions \(east 3\.3\.5, west 2\.6\.0\)/),
    ]);
    expect(found.every((f) => f.fix)).toBe(true);
  });
});

describe('doctor: its probe', () => {
  it('says so, with the commands to run, when the probe it wrote cannot be removed again', async () => {
    const w = world();
    w.west.intercept = (method, op) =>
      method === 'PUT' && op === 'DISALLOWSNAPSHOT'
        ? { status: 403, body: { RemoteException: { exception: 'AccessControlException', message: 'Permission denied' } } }
        : undefined;
    const r = await w.cli('--json', '--clusters', w.clustersFile, 'doctor');
    const findings = JSON.parse(r.stdout).findings as { site: string; check: string; level: string; text: string; fix?: string }[];
    const probe = findings.filter((f) => f.check === 'probe');
    expect(probe).toEqual([
      expect.objectContaining({
        site: 'west',
        level: 'warn',
        text: expect.stringMatching(/^as hdfs, could not disallow snapshots of the probe \/\.hbackup\/doctor-\S+: .*Permission denied/),
        fix: expect.stringMatching(
          /^remove it as the HDFS superuser: hdfs dfsadmin -disallowSnapshot \/\.hbackup\/doctor-\S+; hdfs dfs -rm -r /,
        ),
      }),
    ]);
    // east's probe went as it came.
    expect([...(w.east.lookup('/.hbackup') as any).children.keys()].filter((n: string) => n.startsWith('doctor-'))).toEqual([]);
  });
});

describe('metrics file', () => {
  it('is not rewritten when it cannot be read: the other services would lose their series', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-metrics-'));
    expect(() => writeBackupMetrics(dir, [], new Date())).toThrow(/^cannot read the metrics file .* \(EISDIR\); .*not rewritten/);
  });
});
