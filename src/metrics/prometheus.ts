/**
 * Metrics for monitoring, in the Prometheus text format, for node_exporter's textfile collector:
 * written whole to a temporary file and renamed, so the collector never reads half a file. What a
 * run does not know (the last success of a service that failed now, run counts) is carried over
 * from the file it replaces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { intervalSeconds } from '../config/schedule.js';
import { HbackupError } from '../errors.js';
import type { BackupReport } from '../flows/backup/report.js';

export interface Sample {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  labels: Record<string, string>;
  value: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

/** The text format: each metric's HELP and TYPE once, then its samples. */
function render(samples: Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  let out = '';
  for (const [name, group] of byName) {
    out += `# HELP ${name} ${group[0]!.help}\n# TYPE ${name} ${group[0]!.type}\n`;
    for (const s of group) out += `${name}${labelText(s.labels)} ${Number.isFinite(s.value) ? s.value : 'NaN'}\n`;
  }
  return out;
}

/** Samples of a file this module wrote before: `name{labels} value` lines. */
export function readSamples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** Write atomically: a temporary file beside it, then a rename. */
function writeMetricsFile(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new HbackupError(`cannot write the metrics file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

const METRICS: Record<string, { help: string; type: Sample['type'] }> = {
  hbackup_backup_last_run_timestamp_seconds: { help: 'When the last backup of the service ended.', type: 'gauge' },
  hbackup_backup_success: { help: 'Whether the last backup of the service made a restore point (1) or not (0).', type: 'gauge' },
  hbackup_backup_duration_seconds: { help: 'How long the last backup of the service took.', type: 'gauge' },
  hbackup_backup_last_success_timestamp_seconds: { help: 'When the last successful backup of the service ended.', type: 'gauge' },
  hbackup_backup_copied_bytes: { help: 'Bytes the last successful backup of the service copied.', type: 'gauge' },
  hbackup_backup_consistency_window_seconds: {
    help: 'From the first snapshot asked for to the last taken, in the last successful backup.',
    type: 'gauge',
  },
  hbackup_restore_point_timestamp_seconds: { help: 'The moment of the newest restore point of the service.', type: 'gauge' },
  hbackup_restore_point_age_seconds: { help: 'Age of the newest restore point of the service when this file was written.', type: 'gauge' },
  hbackup_backup_runs_total: { help: 'Backups of the service, by outcome.', type: 'counter' },
  hbackup_backup_schedule_interval_seconds: {
    help: "Time between two slots of the service's schedule (absent: on demand only); alerts compare the RPO with it.",
    type: 'gauge',
  },
};

/** The metrics of some backup runs; what the previous file knew of other services and runs is carried over. */
function backupSamples(reports: BackupReport[], now: Date, previous: ReturnType<typeof readSamples>): Sample[] {
  const samples: Sample[] = [];
  const add = (name: string, service: string, value: number | undefined, extra: Record<string, string> = {}) => {
    if (value !== undefined) samples.push({ name, ...METRICS[name]!, labels: { service, ...extra }, value });
  };
  const prev = (name: string, service: string, extra: Record<string, string> = {}) =>
    previous.find((s) => s.name === name && s.labels.service === service && Object.entries(extra).every(([k, v]) => s.labels[k] === v))
      ?.value;
  const services = new Set([...previous.flatMap((s) => (s.labels.service ? [s.labels.service] : [])), ...reports.map((r) => r.service)]);
  const nowS = now.getTime() / 1000;
  for (const service of [...services].sort()) {
    const r = reports.find((x) => x.service === service && x.result !== 'planned');
    const ok = r?.result === 'ok';
    const keep = (name: string, value: number | undefined, when: boolean) => add(name, service, when ? value : prev(name, service));
    keep('hbackup_backup_last_run_timestamp_seconds', nowS, Boolean(r));
    keep('hbackup_backup_success', ok ? 1 : 0, Boolean(r));
    keep('hbackup_backup_duration_seconds', (r?.durationMs ?? 0) / 1000, Boolean(r));
    keep('hbackup_backup_last_success_timestamp_seconds', nowS, ok);
    keep(
      'hbackup_backup_copied_bytes',
      r?.datasets.reduce((n, d) => n + (d.bytesCopied ?? 0), 0),
      ok,
    );
    keep('hbackup_backup_consistency_window_seconds', (r?.consistencyWindowMs ?? 0) / 1000, ok);
    keep('hbackup_backup_schedule_interval_seconds', r?.schedule ? intervalSeconds(r.schedule, now) : undefined, Boolean(r));
    const newest = ok ? seconds(r.moment) : prev('hbackup_restore_point_timestamp_seconds', service);
    add('hbackup_restore_point_timestamp_seconds', service, newest);
    add('hbackup_restore_point_age_seconds', service, newest === undefined ? undefined : Math.max(0, nowS - newest));
    for (const result of ['ok', 'failed', 'refused', 'locked']) {
      const value = (prev('hbackup_backup_runs_total', service, { result }) ?? 0) + (r?.result === result ? 1 : 0);
      if (value) add('hbackup_backup_runs_total', service, value, { result });
    }
  }
  return samples;
}

const DRILL_METRICS: Record<string, { help: string; type: Sample['type'] }> = {
  hbackup_drill_last_run_timestamp_seconds: { help: 'When the last restore drill of the service ended.', type: 'gauge' },
  hbackup_drill_success: { help: 'Whether the last restore drill of the service passed (1) or not (0).', type: 'gauge' },
  hbackup_drill_duration_seconds: { help: 'How long the last restore drill of the service took, checks included.', type: 'gauge' },
  hbackup_drill_restore_seconds: { help: 'Measured time to restore in the last successful drill of the service.', type: 'gauge' },
  hbackup_drill_last_success_timestamp_seconds: { help: 'When the last successful restore drill of the service ended.', type: 'gauge' },
};

/** What a drill's metrics need of its report. */
export interface DrillRun {
  service: string;
  result: string;
  durationMs: number;
  restoreMs: number | null;
  dryRun: boolean;
}

/** The drill series: these drills', and what the previous file said of other services' drills. */
function drillSamples(drills: DrillRun[], now: Date, previous: ReturnType<typeof readSamples>): Sample[] {
  const samples: Sample[] = [];
  const names = Object.keys(DRILL_METRICS);
  const services = new Set([
    ...previous.filter((s) => names.includes(s.name) && s.labels.service).map((s) => s.labels.service!),
    ...drills.map((d) => d.service),
  ]);
  const nowS = now.getTime() / 1000;
  for (const service of [...services].sort()) {
    const d = drills.find((x) => x.service === service && !x.dryRun && x.result !== 'locked');
    const ok = d?.result === 'ok';
    const value = (name: string): number | undefined => {
      const prev = previous.find((s) => s.name === name && s.labels.service === service)?.value;
      if (!d) return prev;
      switch (name) {
        case 'hbackup_drill_last_run_timestamp_seconds':
          return nowS;
        case 'hbackup_drill_success':
          return ok ? 1 : 0;
        case 'hbackup_drill_duration_seconds':
          return d.durationMs / 1000;
        case 'hbackup_drill_restore_seconds':
          return ok && d.restoreMs !== null ? d.restoreMs / 1000 : prev;
        default:
          return ok ? nowS : prev;
      }
    };
    for (const name of names) {
      const v = value(name);
      if (v !== undefined) samples.push({ name, ...DRILL_METRICS[name]!, labels: { service }, value: v });
    }
  }
  return samples;
}

/** The samples a metrics file holds now, or none; a file that cannot be read is not rewritten. */
function previousSamples(file: string): ReturnType<typeof readSamples> {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    // No file yet: nothing to keep. Any other failure would drop the other services' series.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new HbackupError(
        `cannot read the metrics file ${file} (${code ?? (e as Error).message}); it keeps the other services' series, so it was not rewritten: fix its permissions`,
      );
  }
  return readSamples(text);
}

/** Write the metrics of these runs to `file`, keeping what it said of the others (drills included). */
export function writeBackupMetrics(file: string, reports: BackupReport[], now: Date, drills: DrillRun[] = []): void {
  const previous = previousSamples(file);
  writeMetricsFile(file, render([...backupSamples(reports, now, previous), ...drillSamples(drills, now, previous)]));
}

/** Write the metrics of these drills to `file`, keeping every other series it holds. */
export function writeDrillMetrics(file: string, drills: DrillRun[], now: Date): void {
  writeBackupMetrics(file, [], now, drills);
}

/** Every metric name the files this module writes can hold (the dashboard and alerts are checked against it). */
export const METRIC_NAMES = (): string[] => [
  ...Object.keys(METRICS),
  ...Object.keys(DRILL_METRICS),
  'hbackup_site_status_level',
  'hbackup_site_up',
  'hbackup_replication_peer_enabled',
  'hbackup_replication_lag_seconds',
  'hbackup_replication_log_queue',
];

/** Write each site's status level (0 OK, 1 WARNING, 2 CRITICAL) and whether it answered, and each service's replication, to `file`. */
export function writeSiteMetrics(
  file: string,
  sites: { site: string; role: string; level: number; reachable: boolean }[],
  replication: { service: string; peer: string; state: string; lagSeconds: number | null; logQueue: number | null }[] = [],
): void {
  const gauge = (name: string, help: string, r: (typeof replication)[number], value: number | null): Sample[] =>
    value === null ? [] : [{ name, help, type: 'gauge', labels: { service: r.service, peer: r.peer }, value }];
  const samples: Sample[] = [
    ...sites.map((s) => ({
      name: 'hbackup_site_status_level',
      help: 'Health of the site: 0 OK, 1 WARNING, 2 CRITICAL.',
      type: 'gauge' as const,
      labels: { site: s.site, role: s.role },
      value: s.level,
    })),
    ...sites.map((s) => ({
      name: 'hbackup_site_up',
      help: 'Whether the site answered (1) or not (0).',
      type: 'gauge' as const,
      labels: { site: s.site },
      value: s.reachable ? 1 : 0,
    })),
    ...replication.flatMap((r) => [
      ...gauge(
        'hbackup_replication_peer_enabled',
        "Whether the service's replication peer is enabled (1), disabled (0) or gone (-1).",
        r,
        r.state === 'enabled' ? 1 : r.state === 'disabled' ? 0 : -1,
      ),
      ...gauge(
        'hbackup_replication_lag_seconds',
        "How far behind the service's replicated HBase tables are (the largest lag of its peer's sources).",
        r,
        r.lagSeconds,
      ),
      ...gauge(
        'hbackup_replication_log_queue',
        "WAL files queued for the service's replication peer, over every region server.",
        r,
        r.logQueue,
      ),
    ]),
  ];
  writeMetricsFile(file, render(samples));
}
