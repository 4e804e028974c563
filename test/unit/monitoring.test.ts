// The monitoring mixin in examples/monitoring/: its alert rules pass promtool's own checks and unit
// tests, and the dashboard and the rules use only metric names hbackup's metrics files hold, as the
// writers themselves write them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { BackupReport } from '../../src/flows/backup/report.js';
import { readSamples, writeBackupMetrics, writeDrillMetrics, writeSiteMetrics } from '../../src/metrics/prometheus.js';

const dir = path.resolve(import.meta.dirname, '../../examples/monitoring');

/** Every metric name the writers put in a file, for a service with a schedule that backed up, drilled, and two sites. */
function writtenNames(): Set<string> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-metrics-'));
  const file = path.join(tmp, 'hbackup.prom');
  const now = new Date('2026-11-25T02:10:00Z');
  const report: BackupReport = {
    service: 'orders',
    schedule: '0 * * * *',
    moment: '2026-11-25T02:00:00.000Z',
    result: 'ok',
    restorePoint: 'hb-orders-20261125T020000Z',
    consistencyWindowMs: 40,
    durationMs: 30_000,
    dryRun: false,
    datasets: [],
  };
  writeBackupMetrics(file, [report], now);
  writeDrillMetrics(file, [{ service: 'orders', result: 'ok', durationMs: 60_000, restoreMs: 20_000, dryRun: false }], now);
  const sites = path.join(tmp, 'sites.prom');
  writeSiteMetrics(sites, [{ site: 'east', role: 'primary', level: 0, reachable: true }]);
  return new Set([file, sites].flatMap((f) => readSamples(fs.readFileSync(f, 'utf8')).map((s) => s.name)));
}

const metricsIn = (expr: string) => [...expr.matchAll(/\bhbackup_[a-z_]+\b/g)].map((m) => m[0]);

describe('monitoring mixin', () => {
  const names = writtenNames();

  it('the dashboard queries only metrics hbackup writes, and shows each of them', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(dir, 'dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr));
    exprs.push(...dashboard.templating.list.flatMap((v: { definition?: string }) => (v.definition ? [v.definition] : [])));
    const used = new Set(exprs.flatMap(metricsIn));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    expect([...names].filter((n) => !used.has(n))).toEqual([]);
  });

  it('the alert rules use only metrics hbackup writes, each with a runbook line naming an hbackup command', () => {
    const rules = parse(fs.readFileSync(path.join(dir, 'alerts.yml'), 'utf8')).groups.flatMap((g: { rules: unknown[] }) => g.rules) as {
      alert: string;
      expr: string;
      annotations: { runbook: string };
    }[];
    expect(rules.map((r) => r.alert)).toEqual([
      'HbackupRpoTooOld',
      'HbackupBackupFailed',
      'HbackupSiteCritical',
      'HbackupSiteDown',
      'HbackupDrillFailed',
      'HbackupDrillStale',
    ]);
    for (const r of rules) {
      expect(
        metricsIn(r.expr).filter((n) => !names.has(n)),
        r.alert,
      ).toEqual([]);
      expect(r.annotations.runbook, r.alert).toMatch(/`hbackup [a-z-]+/);
    }
  });

  it('promtool checks the rules and runs their unit tests', async () => {
    const check = await execa('promtool', ['check', 'rules', 'alerts.yml'], { cwd: dir, reject: false });
    expect(check.exitCode, `${check.stdout}\n${check.stderr}`).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 6 rules found');
    const test = await execa('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, reject: false });
    expect(test.exitCode, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toContain('SUCCESS');
  }, 60_000);
});
