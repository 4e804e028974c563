// A service kept continuously, against the sandbox: `run-due --watch` with `schedule: every 5s`
// while a writer appends to a file every second, for three minutes. No two runs overlap, none
// fails, every restore point is verified (checksums of what the diff touched), the diffs go through
// WebHDFS, retention thins the points; a policy edit takes effect without a restart; SIGTERM in the
// middle of a run lets it finish, and the next start carries on from there.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  bytes,
  east,
  hbackup,
  hbackupBin,
  hbackupEnv,
  restorePoints,
  runId,
  snap,
  snapshottable,
  tmpDir,
  tree,
  webhdfs,
  west,
} from './helpers.js';

const id = runId();
const root = `/it/watch-${id}`;
const service = `watch-${id}`;
const policies = tmpDir('watch-policies');
const policyFile = path.join(policies, `${service}.yaml`);

/** Append to a file on east through WebHDFS: the NameNode names a DataNode, which takes the bytes. */
async function append(p: string, text: string): Promise<void> {
  const nn = `http://127.0.0.1:${east.ports.nnHttp}/webhdfs/v1${p}?op=APPEND&user.name=${east.user}&noredirect=true`;
  const located = (await (await fetch(nn, { method: 'POST' })).json()) as { Location: string };
  await new Promise<void>((resolve, reject) => {
    const req = http.request(located.Location, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`APPEND ${p}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(text);
  });
}

interface Run {
  service: string;
  what: string;
  startedAt: number;
  endedAt: number;
  result: string;
  restorePoint: string | null;
}

/** Start `run-due --watch --json`; its JSON lines (one per run) and stderr as they come. */
function startWatch(): { child: ChildProcess; runs: Run[]; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn('node', [hbackupBin, '--json', 'run-due', '--watch', '--policies', policies], {
    env: { ...process.env, ...hbackupEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const runs: Run[] = [];
  let err = '';
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const l of lines) if (l.trim().startsWith('{')) runs.push(JSON.parse(l) as Run);
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, runs, stderr: () => err, exit };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const writePolicyFile = (datasets: Record<string, unknown>[]) =>
  fs.writeFileSync(
    policyFile,
    stringify({
      service,
      schedule: 'every 5s',
      datasets,
      verify: { checksums: true },
      retention: { primary: 3, secondary: { within: '1m', minutely: 2 } },
    }),
  );

describe('a continuous service (run-due --watch)', () => {
  it('stays seconds behind a writer for three minutes: no overlap, no failure, every point verified; edits apply live; SIGTERM waits', async () => {
    await snapshottable(`${root}/log`, { 'log.txt': 'start\n', 'fixed.bin': bytes(100_000) });
    await snapshottable(`${root}/more`, { 'm.txt': 'joins the service later' });
    writePolicyFile([{ hdfs: `${root}/log` }]);
    const first = startWatch();
    let lines = 0;
    const writer = setInterval(() => {
      append(`${root}/log/log.txt`, `line ${++lines} at ${new Date().toISOString()}\n`).catch(() => undefined);
    }, 1000);
    const started = Date.now();
    try {
      await until('the first restore point', () => first.runs.length > 0, 120_000);
      // A minute in, the policy gains a data set: the next runs take it, with no restart.
      await sleep(60_000);
      const edited = Date.now();
      writePolicyFile([{ hdfs: `${root}/log` }, { hdfs: `${root}/more` }]);
      await sleep(Math.max(0, 170_000 - (Date.now() - started)));
      // status, while the service runs: its RPO (the newest point's age) and cycle time, in seconds.
      const st = await hbackup(['--json', 'status', '--policies', policies]);
      const svc = JSON.parse(String(st.stdout)).services.find((s: { service: string }) => s.service === service);
      expect(svc, String(st.stderr)).toMatchObject({ intervalSeconds: 5, overdue: false });
      expect(svc.ageSeconds).toBeGreaterThanOrEqual(0);
      expect(svc.ageSeconds).toBeLessThan(30);
      expect(svc.cycleSeconds).toBeGreaterThan(0);
      expect(svc.cycleSeconds).toBeLessThan(30);
      const human = String((await hbackup(['status', '--policies', policies])).stdout);
      expect(human).toMatch(new RegExp(`${service} +hb-\\S+, \\d+ s old \\(cycle [\\d.]+ s, every 5 s\\)`));
      await sleep(Math.max(0, 180_000 - (Date.now() - started)));
      // SIGTERM once a run is under way: it finishes, and the watch exits 0.
      const before = first.runs.length;
      await until(
        'a run under way',
        () => new RegExp(`${service}: backup due`).test(first.stderr().split('\n').slice(-5).join('\n')),
        30_000,
      );
      first.child.kill('SIGTERM');
      expect(await first.exit).toBe(0);
      expect(first.runs.length).toBe(before + 1);
      expect(first.stderr()).toContain('SIGTERM: starting nothing new; waiting for the runs under way');

      const runs = first.runs;
      expect(runs.every((r) => r.service === service && r.what === 'backup')).toBe(true);
      expect(runs.filter((r) => r.result !== 'ok')).toEqual([]);
      expect(runs.length).toBeGreaterThanOrEqual(15);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.startedAt).toBeGreaterThanOrEqual(runs[i - 1]!.endedAt);
      const moments = runs.map((r) =>
        Date.parse(r.restorePoint!.replace(/^hb-.*-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')),
      );
      const gaps = moments.slice(1).map((m, i) => (m - moments[i]!) / 1000);
      expect(Math.max(...gaps)).toBeLessThan(30);

      // What the catalog keeps: thinned, each point verified with checksums; the later ones hold both data sets.
      const kept = await restorePoints(policyFile);
      // Every point of the last minute (about one in 5 s) and the newest of each of the 2 minutes before.
      expect(kept.length).toBeLessThanOrEqual(60 / 5 + 2 + 1);
      expect(kept.length).toBeLessThan(runs.length - 10);
      const newest = kept.at(-1)! as unknown as { snapshot: string; moment: string; datasets: Record<string, any>[] };
      expect(newest.datasets.map((d) => d.source)).toEqual([`${root}/log`, `${root}/more`]);
      expect(Date.parse(newest.moment)).toBeGreaterThan(edited);
      expect((await webhdfs(west).listSnapshots(`${root}/log`)).length).toBe(kept.length);
      expect((await webhdfs(east).listSnapshots(`${root}/log`)).length).toBeLessThanOrEqual(3);
      // The writer stops first: a snapshot's file whose last block an append is writing has no checksum yet (the DataNode refuses its MD5).
      clearInterval(writer);
      await sleep(2000);
      expect(await tree(west, snap(`${root}/log`, newest.snapshot))).toEqual(await tree(east, snap(`${root}/log`, newest.snapshot)));
    } finally {
      clearInterval(writer);
      first.child.kill('SIGKILL');
    }

    // The next start carries on: an incremental run through WebHDFS, verified.
    await append(`${root}/log/log.txt`, 'after the restart\n');
    const second = startWatch();
    try {
      await until('a run after the restart', () => second.runs.length > 0, 60_000);
      expect(second.runs[0]).toMatchObject({ result: 'ok' });
      const kept = await restorePoints(policyFile);
      const newest = kept.at(-1)! as unknown as { datasets: Record<string, any>[] };
      expect(newest.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'webhdfs' });
      expect(newest.datasets[0]!.verification).toMatchObject({ checksums: 'ok', scope: 'changed' });
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    } finally {
      second.child.kill('SIGKILL');
    }
  }, 360_000);
});
