// A primary whose NameNodes are an HA pair: hbackup finds the active one (a real standby answers
// StandbyException), and after a real failover (hdfs haadmin) the next backup goes on through the
// other NameNode, incrementally.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startHa, stopHa } from '../cluster/ha.js';
import {
  clustersFile,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  runId,
  type SiteInfo,
  tmpDir,
  tool,
  tree,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
type HaSite = SiteInfo & { ports: SiteInfo['ports'] & { nn2Http: number } };
let ha: HaSite;

describe('an HA primary', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    ha = await startHa();
  });
  afterAll(() => stopHa());

  it('uses the active NameNode, skipping the standby, and carries on after a failover', async () => {
    const nn1 = `http://127.0.0.1:${ha.ports.nnHttp}`;
    const nn2 = `http://127.0.0.1:${ha.ports.nn2Http}`;
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, unknown> };
    const clusters = path.join(tmpDir('ha'), 'clusters.yaml');
    fs.writeFileSync(
      clusters,
      stringify({
        clusters: {
          ha: {
            role: 'primary',
            webhdfs: [nn2, nn1],
            fs: ha.fsUri,
            user: ha.user,
            tools: { hadoop: `${ha.binDir}/hadoop`, hdfs: `${ha.binDir}/hdfs`, hbase: `${ha.binDir}/hbase` },
          },
          west: sandbox.clusters.west,
        },
      }),
    );
    const dir = `/it/ha-${id}/d`;
    const local = tmpDir('ha-data');
    fs.writeFileSync(path.join(local, 'one.txt'), 'first file\n');
    await tool(ha, 'hdfs', ['dfs', '-mkdir', '-p', dir]);
    await tool(ha, 'hdfs', ['dfs', '-put', path.join(local, 'one.txt'), dir]);
    await tool(ha, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `ha-${id}`, datasets: [{ hdfs: dir }] });

    const first = await hbackup(['backup', policy, '--json', '--verbose', '--clusters', clusters]);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stderr)).toContain(`GET ${nn2}/webhdfs/v1/?op=GETFILESTATUS`); // both asked at once: the standby too
    expect(String(first.stderr)).toContain(`PUT ${nn1}/webhdfs/v1${dir}?op=CREATESNAPSHOT`);
    expect(jsonLines(String(first.stdout))[0]).toMatchObject({ result: 'ok' });

    await tool(ha, 'hdfs', ['haadmin', '-transitionToStandby', 'nn1']);
    await tool(ha, 'hdfs', ['haadmin', '-transitionToActive', 'nn2']);
    expect((await tool(ha, 'hdfs', ['haadmin', '-getServiceState', 'nn2'])).stdout.trim()).toBe('active');
    fs.writeFileSync(path.join(local, 'two.txt'), 'written after the failover\n');
    await tool(ha, 'hdfs', ['dfs', '-put', path.join(local, 'two.txt'), dir]);

    const second = await hbackup(['backup', policy, '--json', '--verbose', '--clusters', clusters]);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(String(second.stderr)).toContain(`PUT ${nn2}/webhdfs/v1${dir}?op=CREATESNAPSHOT`);
    const report = jsonLines(String(second.stdout))[0]!;
    expect(report.datasets[0]).toMatchObject({ mode: 'incremental', filesCopied: 1, bytesCopied: 27 });
    const activeNow: HaSite = { ...ha, ports: { ...ha.ports, nnHttp: ha.ports.nn2Http } };
    const name = report.restorePoint as string;
    expect(await tree(west, `${dir}/.snapshot/${name}`)).toEqual(await tree(activeNow, `${dir}/.snapshot/${name}`));
  });
});
