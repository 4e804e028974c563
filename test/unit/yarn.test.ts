// The YARN side of a copy against a fake ResourceManager (its REST API as YARN answers it): finding
// jobs by tag, stopping one and waiting for its end, endpoints that refuse or are standby; and a
// backup that finds a DistCp job an interrupted run left writing into its target and stops it first.
// (test/integration/yarn.test.ts proves the same against a real ResourceManager and NodeManager.)
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { copyJob, jobArgs, targetTag } from '../../src/yarn/jobs.js';
import { ResourceManager } from '../../src/yarn/resourcemanager.js';
import { world } from '../fakes/world.js';

interface FakeApp {
  id: string;
  name: string;
  state: string;
  applicationTags: string;
  startedTime: number;
  progress: number;
  user: string;
}

/** A ResourceManager's REST API over a list of applications; a kill ends the app at the next look. */
function fakeRm(base: string, apps: FakeApp[], log: string[]) {
  const dying = new Set<string>();
  return async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const method = init?.method ?? 'GET';
    log.push(`${method} ${url.pathname}${url.search}`);
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (!input.startsWith(base)) throw new Error(`not ${base}: ${input}`);
    if (url.pathname === '/ws/v1/cluster/apps') {
      const tags = (url.searchParams.get('applicationTags') ?? '').split(',').filter(Boolean);
      const states = (url.searchParams.get('states') ?? '').split(',').filter(Boolean);
      const found = apps.filter(
        (a) => (!tags.length || tags.some((t) => a.applicationTags.split(',').includes(t))) && (!states.length || states.includes(a.state)),
      );
      return json({ apps: found.length ? { app: found } : null });
    }
    const m = /^\/ws\/v1\/cluster\/apps\/([^/]+)\/state$/.exec(url.pathname);
    const app = m && apps.find((a) => a.id === m[1]);
    if (!app) return json({ RemoteException: { message: 'not found' } }, 404);
    if (method === 'PUT') {
      expect(JSON.parse(String(init?.body))).toEqual({ state: 'KILLED' });
      dying.add(app.id);
      return json({ state: app.state }, 202);
    }
    if (dying.has(app.id)) app.state = 'KILLED';
    return json({ state: app.state });
  };
}

const app = (id: string, tags: string[], state = 'RUNNING'): FakeApp => ({
  id,
  name: `distcp: ${id}`,
  state,
  applicationTags: tags.join(','),
  startedTime: Date.parse('2026-11-25T01:00:00Z'),
  progress: 40,
  user: 'hdfs',
});

describe('ResourceManager client', () => {
  it('finds applications by tag (in lower case) and waits for a killed one to end', async () => {
    const log: string[] = [];
    const apps = [app('application_1_0001', ['hbackup', 'hbackup-run-svc-20261125t020000z']), app('application_1_0002', ['other'])];
    const rm = new ResourceManager({
      urls: ['http://rm:8088'],
      user: 'hdfs',
      fetch: fakeRm('http://rm:8088', apps, log),
      sleep: async () => {},
    });
    const found = await rm.apps('hbackup-run-svc-20261125T020000Z');
    expect(found.map((a) => [a.id, a.state, a.tags])).toEqual([
      ['application_1_0001', 'RUNNING', ['hbackup', 'hbackup-run-svc-20261125t020000z']],
    ]);
    expect(await rm.kill('application_1_0001')).toBe('KILLED');
    expect(log).toEqual([
      'GET /ws/v1/cluster/apps?applicationTags=hbackup-run-svc-20261125t020000z&states=NEW%2CNEW_SAVING%2CSUBMITTED%2CACCEPTED%2CRUNNING&user.name=hdfs',
      'PUT /ws/v1/cluster/apps/application_1_0001/state?user.name=hdfs',
      'GET /ws/v1/cluster/apps/application_1_0001/state?user.name=hdfs',
    ]);
    expect(apps[1]!.state).toBe('RUNNING');
  });

  it('skips an endpoint that refuses or redirects (a standby), and says in one line what a non-REST answer was', async () => {
    const log: string[] = [];
    const good = fakeRm('http://rm2:8088', [], log);
    const fetch = async (input: string, init?: RequestInit) => {
      if (input.startsWith('http://rm1:')) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      if (input.startsWith('http://rm3:')) return new Response('', { status: 307, headers: { location: 'http://rm2:8088/' } });
      return good(input, init);
    };
    const rm = new ResourceManager({ urls: ['http://rm1:8088', 'http://rm3:8088', 'http://rm2:8088'], user: 'hdfs', fetch });
    expect(await rm.apps('x')).toEqual([]);
    expect(rm.endpoint).toBe('http://rm2:8088');

    const html = new ResourceManager({
      urls: ['http://rm:8088'],
      user: 'hdfs',
      fetch: async () => new Response('<html>\n<body>Sorry, got error 404</body></html>', { status: 404 }),
    });
    await expect(html.apps('x')).rejects.toThrow(
      /^ResourceManager http:\/\/rm:8088: GET \/ws\/v1\/cluster\/apps: HTTP 404 with <html> <body>Sorry/,
    );
    const none = new ResourceManager({ urls: ['http://rm1:8088'], user: 'hdfs', fetch });
    await expect(none.apps('x')).rejects.toThrow(
      'YARN ResourceManager: none answered (http://rm1:8088: connection refused (ECONNREFUSED))',
    );
  });

  it("reads a running job's maps and DistCp's bytes from its ApplicationMaster, through the ResourceManager's proxy", async () => {
    const asked: string[] = [];
    const fetch = async (input: string) => {
      const url = new URL(input);
      asked.push(url.pathname);
      const body = url.pathname.endsWith('/jobs')
        ? { jobs: { job: [{ id: 'job_7_0003', mapsTotal: 4, mapsCompleted: 1, state: 'RUNNING' }] } }
        : {
            jobCounters: {
              id: 'job_7_0003',
              counterGroup: [
                {
                  counterGroupName: 'org.apache.hadoop.mapreduce.FileSystemCounter',
                  counter: [{ name: 'HDFS_BYTES_READ', totalCounterValue: 9 }],
                },
                {
                  counterGroupName: 'org.apache.hadoop.tools.mapred.CopyMapper$Counter',
                  counter: [{ name: 'BYTESCOPIED', totalCounterValue: 3_145_728, mapCounterValue: 3_145_728, reduceCounterValue: 0 }],
                },
              ],
            },
          };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const rm = new ResourceManager({ urls: ['http://rm:8088'], user: 'hdfs', fetch });
    expect(await rm.jobProgress('application_7_0003')).toEqual({ mapsTotal: 4, mapsCompleted: 1, bytesCopied: 3_145_728 });
    expect(asked).toEqual([
      '/proxy/application_7_0003/ws/v1/mapreduce/jobs',
      '/proxy/application_7_0003/ws/v1/mapreduce/jobs/job_7_0003/counters',
    ]);
  });

  it('names and tags a job so that its target, run and service can be found', () => {
    const job = copyJob('backup', 'orders', '20261125T020000Z', 'west', '/dr/raw', 'backups');
    expect(jobArgs(job)).toEqual([
      '-Dmapreduce.job.name=hbackup backup orders 20261125T020000Z west:/dr/raw',
      `-Dmapreduce.job.tags=hbackup,hbackup-service-orders,hbackup-run-orders-20261125t020000z,${targetTag('west', '/dr/raw')}`,
      '-Dmapreduce.job.queuename=backups',
    ]);
    // One tag per target and site; within YARN's limit of 100 characters.
    expect(targetTag('west', '/dr/raw')).not.toBe(targetTag('east', '/dr/raw'));
    expect(targetTag('west', `/${'x'.repeat(5000)}`).length).toBeLessThanOrEqual(100);
  });
});

describe('a DistCp job left running by an interrupted run', () => {
  function setup(apps: FakeApp[]) {
    const w = world();
    const clusters = parse(fs.readFileSync(w.clustersFile, 'utf8'));
    clusters.clusters.east.yarn = { resourceManager: 'http://east-rm:8088' };
    fs.writeFileSync(w.clustersFile, stringify(clusters));
    const rmLog: string[] = [];
    const rm = fakeRm('http://east-rm:8088', apps, rmLog);
    const commandsAtKill: number[] = [];
    const fetch = async (input: string, init?: RequestInit) => {
      if (!input.startsWith('http://east-rm:')) return w.hadoop.fetch(input, init);
      if (init?.method === 'PUT') commandsAtKill.push(w.rec.commands.length);
      return rm(input, init);
    };
    w.source('/data/raw', { 'a.txt': 'aaaa' });
    const policy = w.policy({ service: 'orders', datasets: [{ hdfs: '/data/raw', target: '/dr/raw' }] });
    return { w, policy, rmLog, commandsAtKill, fetch };
  }

  it('is stopped before anything touches the target, and the backup says so', async () => {
    const orphan = app('application_7_0003', ['hbackup', 'hbackup-service-orders', targetTag('west', '/dr/raw')]);
    const unrelated = app('application_7_0004', ['hbackup', targetTag('west', '/dr/other')]);
    const { w, policy, commandsAtKill, fetch } = setup([orphan, unrelated]);

    const dry = await w.cli('--json', 'backup', policy, '--dry-run', { fetch });
    expect(dry.code, dry.stderr).toBe(0);
    const copySteps = dry.report!.planned.filter((p: any) => p.step.startsWith('copy'));
    expect(copySteps[0]).toMatchObject({
      site: 'east',
      change: 'PUT http://east-rm:8088/ws/v1/cluster/apps/application_7_0003/state?user.name=hdfs {"state":"KILLED"}',
    });
    expect(orphan.state).toBe('RUNNING');

    const r = await w.cli('--json', 'backup', policy, { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(orphan.state).toBe('KILLED');
    expect(unrelated.state).toBe('RUNNING');
    // Stopped before the first command (the copy) ran.
    expect(commandsAtKill).toEqual([0]);
    expect(r.report!.datasets[0]).toMatchObject({ mode: 'full', stoppedJobs: ['application_7_0003 on east'] });
    expect(r.stderr).toContain(
      'warning: /dr/raw: stopped application_7_0003 on east (distcp: application_7_0003, RUNNING since 2026-11-25T01:00:00.000Z)',
    );
  });

  it('goes on, with a warning, when the ResourceManager does not answer', async () => {
    const { w, policy } = setup([]);
    const fetch = async (input: string, init?: RequestInit) => {
      if (input.startsWith('http://east-rm:')) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return w.hadoop.fetch(input, init);
    };
    const r = await w.cli('--json', 'backup', policy, { fetch });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "warning: /dr/raw: cannot ask east's ResourceManager for jobs left writing into it: YARN ResourceManager: none answered (http://east-rm:8088: connection refused (ECONNREFUSED))",
    );
  });
});
