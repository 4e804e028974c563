// Scheduled runs against the real sandbox: run-due backs up only the services whose schedule has
// fired since their newest restore point, once however many slots they missed; a failing one does
// not stop the others and the metrics file says both; policy new writes a policy that validates
// online and backs up.
import fs from 'node:fs';
import path from 'node:path';
// @ts-expect-error the parser ships without types
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { bytes, clustersFile, ensureSandboxUp, hbackup, restorePoints, runId, snapshottable, tmpDir } from './helpers.js';

const id = runId();

describe('scheduled runs', () => {
  beforeAll(ensureSandboxUp);

  it('runs only what is due, once; one failing service leaves the others; metrics show both', async () => {
    const dir = tmpDir('due');
    const now = new Date();
    const twoHoursAgo = new Date(now.getTime() - 2 * 3_600_000);
    const policy = (name: string, p: Record<string, unknown>) => {
      const file = path.join(dir, `${name}.yaml`);
      fs.writeFileSync(file, stringify({ clusters: clustersFile, ...p }));
      return file;
    };
    for (const d of ['hourly', 'daily', 'manual']) await snapshottable(`/it/due-${id}/${d}`, { 'f.bin': bytes(1_000) });
    const hourly = policy('a', { service: `hourly-${id}`, schedule: '0 * * * *', datasets: [{ hdfs: `/it/due-${id}/hourly` }] });
    const daily = policy('b', {
      service: `daily-${id}`,
      schedule: `${twoHoursAgo.getUTCMinutes()} ${twoHoursAgo.getUTCHours()} * * *`,
      datasets: [{ hdfs: `/it/due-${id}/daily` }],
    });
    policy('c', { service: `manual-${id}`, datasets: [{ hdfs: `/it/due-${id}/manual` }] });
    const metrics = path.join(dir, 'hbackup.prom');

    const first = await hbackup(['--json', 'run-due', '--policies', dir, '--metrics-file', metrics]);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(JSON.parse(String(first.stdout)).services.map((s: any) => s.result)).toEqual(['ok', 'ok', 'skipped']);

    // Three hours on: hourly missed three slots and runs once; daily's slot has its restore point.
    policy('d', { service: `broken-${id}`, schedule: '* * * * *', datasets: [{ hdfs: `/it/due-${id}/missing` }] });
    const later = new Date(now.getTime() + 3 * 3_600_000).toISOString();
    const second = await hbackup(['--json', 'run-due', '--policies', dir, '--now', later, '--metrics-file', metrics, '--parallel', '3']);
    expect(second.exitCode).toBe(1);
    const services = JSON.parse(String(second.stdout)).services;
    expect(services.map((s: any) => [s.service, s.due, s.result])).toEqual([
      [`hourly-${id}`, true, 'ok'],
      [`daily-${id}`, false, 'skipped'],
      [`manual-${id}`, false, 'skipped'],
      [`broken-${id}`, true, 'refused'],
    ]);
    expect(await restorePoints(hourly)).toHaveLength(2);
    expect(await restorePoints(daily)).toHaveLength(1);

    const families = parsePrometheusTextFormat(fs.readFileSync(metrics, 'utf8')) as {
      name: string;
      metrics: { labels: Record<string, string>; value: string }[];
    }[];
    const value = (name: string, service: string) =>
      families.find((f) => f.name === name)?.metrics.find((m) => m.labels.service === service)?.value;
    expect(value('hbackup_backup_success', `hourly-${id}`)).toBe('1');
    expect(value('hbackup_backup_success', `broken-${id}`)).toBe('0');
    expect(Number(value('hbackup_backup_copied_bytes', `daily-${id}`))).toBe(1_000);
    expect(Number(value('hbackup_restore_point_age_seconds', `hourly-${id}`))).toBeLessThan(600);
  });

  it('writes a policy with policy new that validates online and backs up', async () => {
    await snapshottable(`/it/new-${id}/events`, { 'e.json': bytes(2_000) });
    const file = path.join(tmpDir('new'), 'events.yaml');
    const made = await hbackup([
      '--clusters',
      clustersFile,
      'policy',
      'new',
      '--service',
      `events-${id}`,
      '--hdfs',
      `/it/new-${id}/events`,
      '--schedule',
      '15 1 * * *',
      '-o',
      file,
    ]);
    expect(made.exitCode, String(made.stderr)).toBe(0);
    const check = await hbackup(['validate', '--online', file]);
    expect(check.exitCode, String(check.stdout)).toBe(0);
    const b = await hbackup(['--json', 'backup', file]);
    expect(b.exitCode, String(b.stderr)).toBe(0);
    expect(await restorePoints(file)).toHaveLength(1);
  });
});
