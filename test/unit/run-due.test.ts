// run-due in-process against two in-memory clusters: only services whose schedule fired since
// their newest restore point run, once however many slots they missed; one failing does not stop
// the others; the metrics file says what happened and parses as Prometheus text.
import fs from 'node:fs';
import path from 'node:path';
// @ts-expect-error the parser ships without types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { isDue } from '../../src/core/due.js';
import { world } from '../fakes/world.js';

describe('isDue', () => {
  const at = (iso: string) => new Date(iso);
  it.each([
    ['no schedule', undefined, undefined, '2026-11-25T02:00:00Z', false],
    ['never backed up', '0 2 * * *', undefined, '2026-11-25T01:00:00Z', true],
    ['the slot has a restore point', '0 2 * * *', '2026-11-25T02:00:04Z', '2026-11-25T03:00:00Z', false],
    ['a slot exactly now', '0 2 * * *', '2026-11-24T02:00:03Z', '2026-11-25T02:00:00Z', true],
    ['three missed slots', '0 * * * *', '2026-11-25T01:00:02Z', '2026-11-25T04:30:00Z', true],
    ['every 30s, never backed up', 'every 30s', undefined, '2026-11-25T01:00:00Z', true],
    ['every 30s, 20 s after the newest', 'every 30s', '2026-11-25T01:00:00Z', '2026-11-25T01:00:20Z', false],
    ['every 30s, 30 s after the newest', 'every 30s', '2026-11-25T01:00:00Z', '2026-11-25T01:00:30Z', true],
  ])('%s', (_, schedule, newest, now, due) => {
    expect(isDue(schedule, newest ? at(newest) : undefined, at(now)).due).toBe(due);
  });
});

describe('run-due', () => {
  it('backs up only the due services, once each; one failing leaves the others ok; exit 1; metrics for both', async () => {
    const w = world();
    for (const d of ['/hourly', '/daily', '/broken']) w.source(d, { 'f.txt': d });
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    const write = (name: string, p: Record<string, unknown>) =>
      fs.writeFileSync(path.join(dir, `${name}.yaml`), JSON.stringify({ clusters: w.clustersFile, ...p }));
    write('a-hourly', { service: 'hourly', schedule: '0 * * * *', datasets: [{ hdfs: '/hourly' }] });
    write('b-daily', { service: 'daily', schedule: '30 2 * * *', datasets: [{ hdfs: '/daily' }] });
    write('c-ondemand', { service: 'ondemand', datasets: [{ hdfs: '/hourly', target: '/od' }] });
    fs.copyFileSync(w.clustersFile, path.join(dir, 'clusters.yaml')); // not a policy: left out
    const metrics = path.join(w.dir, 'hbackup.prom');

    // 02:00: hourly is due (never backed up), daily is due too (never backed up).
    const first = await w.cli('--json', 'run-due', '--policies', dir, '--now', '2026-11-25T02:00:00Z', '--metrics-file', metrics);
    expect(first.code, first.stderr).toBe(0);
    const r1 = JSON.parse(first.stdout).services.map((s: any) => [s.service, s.due, s.result]);
    expect(r1).toEqual([
      ['hourly', true, 'ok'],
      ['daily', true, 'ok'],
      ['ondemand', false, 'skipped'],
    ]);

    // Four hours later: hourly missed 4 slots and runs once; daily's 02:30 slot has no restore point.
    w.later(4 * 3_600_000);
    w.east.write('/hourly/later.txt', 'written after 02:00');
    w.east.write('/daily/later.txt', 'written after 02:00');
    write('d-broken', { service: 'broken', schedule: '* * * * *', datasets: [{ hdfs: '/missing' }] });
    const distcpsBefore = w.rec.commands.filter((c) => c.argv[1] === 'distcp').length;
    const second = await w.cli('--json', 'run-due', '--policies', dir, '--now', '2026-11-25T06:00:00Z', '--metrics-file', metrics);
    expect(second.code).toBe(1);
    const r2 = JSON.parse(second.stdout).services.map((s: any) => [s.service, s.result]);
    expect(r2).toEqual([
      ['hourly', 'ok'],
      ['daily', 'ok'],
      ['ondemand', 'skipped'],
      ['broken', 'refused'],
    ]);
    // Each diff of one file is applied through WebHDFS: no DistCp job.
    expect(w.rec.commands.filter((c) => c.argv[1] === 'distcp').length - distcpsBefore).toBe(0);
    expect(second.stderr).toMatch(/hourly: .*1 file\(s\), \d+ bytes copied through WebHDFS/);
    expect(second.stderr).toContain('broken: preflight refused: /missing does not exist on east');

    const families = parsePrometheusTextFormat(fs.readFileSync(metrics, 'utf8')) as {
      name: string;
      type: string;
      metrics: { labels: Record<string, string>; value: string }[];
    }[];
    const value = (name: string, service: string, labels: Record<string, string> = {}) =>
      families
        .find((f) => f.name === name)
        ?.metrics.find((m) => m.labels.service === service && Object.entries(labels).every(([k, v]) => m.labels[k] === v))?.value;
    expect(value('hbackup_backup_success', 'hourly')).toBe('1');
    expect(value('hbackup_backup_success', 'broken')).toBe('0');
    expect(value('hbackup_backup_runs_total', 'hourly', { result: 'ok' })).toBe('2');
    expect(value('hbackup_backup_runs_total', 'broken', { result: 'refused' })).toBe('1');
    expect(value('hbackup_backup_last_success_timestamp_seconds', 'broken')).toBeUndefined();
    expect(Number(value('hbackup_restore_point_timestamp_seconds', 'daily'))).toBe(Date.parse('2026-11-25T06:00:00Z') / 1000);
    expect(families.find((f) => f.name === 'hbackup_backup_runs_total')?.type).toBe('COUNTER');
    expect(fs.readdirSync(w.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('exits 75 when the only trouble was a lock', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const dir = path.join(w.dir, 'p');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'x.yaml'),
      JSON.stringify({ clusters: w.clustersFile, service: 'busy', schedule: '0 * * * *', datasets: [{ hdfs: '/d' }] }),
    );
    fs.mkdirSync(path.join(w.stateDir, 'locks'), { recursive: true });
    const os = await import('node:os');
    fs.writeFileSync(
      path.join(w.stateDir, 'locks', 'busy.lock'),
      JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: 'then', command: 'backup' }),
    );
    const r = await w.cli('run-due', '--policies', dir);
    expect(r.code).toBe(75);
    expect(r.stdout).toContain('busy: due (no restore point yet; slot 2026-11-25T02:00:00Z): locked');
  });
});

describe('run-due drills', () => {
  it('drills a service whose drill schedule fired since its last drill, after its backup; the metrics say how it went', async () => {
    const w = world();
    w.source('/drilled', { 'f.txt': 'data', 'sub/g.txt': 'more' });
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'd.yaml'),
      JSON.stringify({
        clusters: w.clustersFile,
        service: 'drilled',
        schedule: '0 * * * *',
        datasets: [{ hdfs: '/drilled' }],
        verify: { checksums: true },
        drill: { schedule: '0 2 * * *' },
      }),
    );
    const metrics = path.join(w.dir, 'hbackup.prom');
    const run = async (now: string) => {
      const r = await w.cli('--json', 'run-due', '--policies', dir, '--now', now, '--metrics-file', metrics);
      return { code: r.code, stderr: r.stderr, service: JSON.parse(r.stdout).services[0] };
    };
    const first = await run('2026-11-25T02:00:00Z');
    expect(first.code, first.stderr).toBe(0);
    expect(first.service).toMatchObject({ result: 'ok', drill: { result: 'ok', reason: 'no drill yet; slot 2026-11-25T02:00:00Z' } });
    expect(first.service.drill.restorePoint).toBe(first.service.restorePoint);
    const text = fs.readFileSync(metrics, 'utf8');
    expect(text).toMatch(/^hbackup_drill_success\{service="drilled"\} 1$/m);
    expect(text).toMatch(/^hbackup_drill_last_success_timestamp_seconds\{service="drilled"\} \d+/m);
    expect(text).toMatch(/^hbackup_drill_restore_seconds\{service="drilled"\} [\d.]+$/m);
    // The copies a drill restores are gone again.
    expect(w.west.lookup('/drilled.hbackup-drill')).toBeUndefined();
    expect(w.west.lookup('/drilled')).toBeDefined();

    w.later(60 * 60_000);
    const second = await run('2026-11-25T03:00:00Z');
    expect(second.code, second.stderr).toBe(0);
    expect(second.service.drill).toBeUndefined();
    // Not drilled now: its drill series stay as they were.
    expect(fs.readFileSync(metrics, 'utf8')).toMatch(/^hbackup_drill_success\{service="drilled"\} 1$/m);

    // status shows the last drill that passed; nine days on, it is older than a scheduled drill may be.
    const status = async () => JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status', '--policies', dir)).stdout);
    const fresh = await status();
    expect(fresh.services[0].drills).toMatchObject({ lastOk: { point: first.service.restorePoint }, lastFailed: null, maxAgeDays: 8 });
    expect(fresh.problems.map((p: { message: string }) => p.message).join('\n')).not.toContain('drill');
    w.later(9 * 86_400_000);
    const stale = await status();
    expect(stale.level).toBe('WARNING');
    expect(stale.problems.map((p: { message: string }) => p.message)).toContain(
      'drilled: the last successful drill is 9.0 days old (the policy allows 8 days); run hbackup drill',
    );
  });
});
