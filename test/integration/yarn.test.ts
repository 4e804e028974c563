// DistCp as a real YARN job: east gets a ResourceManager and a NodeManager (two more JVMs, started
// here), its tools submit to them (conf-yarn), and the clusters file names the ResourceManager.
// hbackup is killed with -9 while its job copies; the job goes on without it, and the next run
// finds it by its tag, stops it (YARN says KILLED) before touching the target, and ends verified.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { targetTag } from '../../src/yarn/jobs.js';
import { ResourceManager } from '../../src/yarn/resourcemanager.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startYarn, stopYarn } from '../cluster/sandbox.js';
import {
  bytes,
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  hbackupBin,
  hbackupEnv,
  jsonLines,
  runId,
  snap,
  snapshottable,
  tmpDir,
  tree,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
const rmUrl = `http://127.0.0.1:${(east.ports as typeof east.ports & { rmHttp: number }).rmHttp}`;
const rm = new ResourceManager({ urls: [rmUrl], user: east.user });
let env: Record<string, string>;

describe('DistCp on YARN', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    await startYarn('east');
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, any> };
    const e = sandbox.clusters.east;
    e.yarn = { resourceManager: rmUrl };
    e.tools = { ...e.tools, env: { HADOOP_CONF_DIR: (east as typeof east & { yarnConfDir: string }).yarnConfDir } };
    const file = path.join(tmpDir('yarn'), 'clusters.yaml');
    fs.writeFileSync(file, stringify(sandbox));
    env = { HBACKUP_CLUSTERS: file };
  });
  afterAll(() => stopYarn('east'));

  it('stops the job a killed run left copying, before it touches the target, and ends verified', async () => {
    const dir = `/it/yarn-${id}/d`;
    const service = `yarn-${id}`;
    await snapshottable(dir, { 'a.bin': bytes(3_000_000, 3), 'b.bin': bytes(3_000_000, 5), 'c.bin': bytes(3_000_000, 7) });
    // One map at 1 MB/s: about 9 s of copying, time enough to kill the run while its job works.
    const policy = writePolicy({ service, datasets: [{ hdfs: dir }], copy: { mappers: 1, bandwidthMBps: 1 } });

    const child = spawn('node', [hbackupBin, 'backup', policy, '--verbose'], {
      detached: true,
      env: { ...process.env, ...hbackupEnv, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    // Its progress comes from the ResourceManager: the application, how far, maps done.
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`the run ended before it could be killed:\n${stderr}`)));
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/copying on YARN \(application_\d+_\d+\) \d+%, maps \d+\/1/.test(stderr)) resolve();
      });
    });
    process.kill(-child.pid!, 'SIGKILL');

    // The job does not die with the run: it is still running, tagged with its target.
    const [orphan, ...more] = await rm.apps(targetTag('west', dir));
    expect(more).toEqual([]);
    expect(orphan).toMatchObject({
      state: 'RUNNING',
      name: expect.stringMatching(`^distcp: hbackup backup ${service} \\d{8}T\\d{6}Z west:${dir}$`),
    });
    expect(orphan!.tags).toEqual(expect.arrayContaining(['hbackup', `hbackup-service-${service}`]));

    const r = await hbackup(['backup', policy, '--json', '--verbose'], { env });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = jsonLines(String(r.stdout))[0]!;
    expect(report.datasets[0]).toMatchObject({ mode: 'full', stoppedJobs: [`${orphan!.id} on east`] });
    expect(await rm.state(orphan!.id)).toBe('KILLED');
    // Stopped before anything touched the target: the kill comes before the first change of the copy.
    const lines = String(r.stderr).split('\n');
    const kill = lines.findIndex((l) => l.includes(`/ws/v1/cluster/apps/${orphan!.id}/state`) && l.includes('PUT'));
    const firstCopy = lines.findIndex((l) => / run: .* distcp /.test(l));
    expect(kill).toBeGreaterThan(-1);
    expect(kill).toBeLessThan(firstCopy);
    expect(String(r.stderr)).toContain(`warning: ${dir}: stopped ${orphan!.id} on east`);
    // This run's own job ran on YARN too, and succeeded.
    const own = await rm.apps(`hbackup-run-${service}-${report.moment.replace(/[-:]/g, '').toLowerCase()}`, ['FINISHED']);
    expect(own.map((a) => a.state)).toEqual(['FINISHED']);
    expect(report.datasets[0].verified).toMatchObject({ files: 3, bytes: 9_000_000 });
    expect(await tree(west, snap(dir, report.restorePoint))).toEqual(await tree(east, snap(dir, report.restorePoint)));
  });
});
