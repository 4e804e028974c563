/**
 * A restore drill: proof that a restore point can be brought back. Under the service's lock, on the
 * secondary only: remove what a killed drill left → restore the point beside the live data (names
 * ending in the drill's suffix; the time this takes is the measured time to restore) → check what
 * came back (directories: paths, sizes, checksums and the backup's digest; tables: store files and
 * a full scan) → run the admin's checks with the restored names in their environment → record the
 * result beside the catalog → remove the scratch copies (unless kept). Nothing live is changed.
 */

import type { DrillDataset, DrillRecord } from '../../catalog/drills.js';
import { writeDrill } from '../../catalog/drills.js';
import type { ResolvedPolicy } from '../../config/load.js';
import { type Change, commandChange, look, perform, run } from '../../core/change.js';
import { type FlowIo, openFlow, siteOf } from '../../core/context.js';
import type { Outcome } from '../../core/outcome.js';
import { runFlow } from '../../core/run.js';
import { planOf, type ShownChange, type Step } from '../../core/steps.js';
import { kindOf } from '../../datasets/index.js';
import { planRestore, type RestorePlan } from '../../datasets/restore.js';
import { HbackupError, lastLine } from '../../errors.js';
import { infoArgs, parseSnapshotInfo } from '../../hbase/info.js';
import { parseScans, scanInput } from '../../hbase/scan.js';
import { snapshotPath } from '../../hdfs/paths.js';
import { acquireLock, type Lock } from '../../lock/lock.js';
import { momentStamp } from '../../names/names.js';
import { currentRoles } from '../../sites/roles.js';
import { DRILL_SUFFIX, type DrillPlan, leftOver, planDrill, removal } from './plan.js';
import { checkDirectory } from './verify.js';

export interface DrillOptions {
  /** `latest`, a stamp or a snapshot name. */
  point: string;
  /** Command lines (run by /bin/sh -c) that must exit 0, besides the policy's own checks. */
  checks: string[];
  keep: boolean;
  dryRun: boolean;
}

export interface DrillReport {
  service: string;
  restorePoint: string | null;
  site: string | null;
  result: Outcome;
  dryRun: boolean;
  durationMs: number;
  /** Measured time to restore; null until every data set was restored. */
  restoreMs: number | null;
  datasets: DrillDataset[];
  checks: DrillRecord['checks'];
  problems: string[];
  /** Where the result was recorded on the secondary. */
  recorded?: string;
  kept: boolean;
  planned?: ShownChange[];
  /** Every change made, in order, under the plan's step titles. */
  made: ShownChange[];
  error?: string;
}

/** A check as it is run: the admin's command line through the shell, or a policy's argument list. */
const checkArgv = (c: string | string[]) => (typeof c === 'string' ? ['/bin/sh', '-c', c] : c);
const checkText = (c: string | string[]) => (typeof c === 'string' ? c : c.join(' '));

export async function drillService(rp: ResolvedPolicy, options: DrillOptions, io: FlowIo): Promise<DrillReport> {
  const { service } = rp.policy;
  const report: DrillReport = {
    service,
    restorePoint: null,
    site: null,
    result: 'failed',
    dryRun: options.dryRun,
    durationMs: 0,
    restoreMs: null,
    datasets: [],
    checks: [],
    problems: [],
    kept: options.keep,
    made: [],
  };
  const made = (step: string, changes: Change[]) => report.made.push(...changes.map((c) => ({ step, site: c.site, change: c.text })));
  let lock: Lock | undefined;
  await runFlow(report, io, async () => {
    const roles = await currentRoles(rp, (c) => siteOf(c, io));
    const ctx = openFlow(rp, roles, io);
    const started = io.now();
    const stamp = momentStamp(started);
    if (!options.dryRun) lock = acquireLock(service, 'drill', io.stateDir);
    const plan = await io.progress.step(
      `${service}: plan the drill of ${options.point}`,
      () => planDrill(ctx, options.point, stamp),
      (p) => `${service}: drill of ${p.point.snapshot} on ${ctx.secondary.name}, ${p.scratch.length} data set(s) beside the live data`,
    );
    report.restorePoint = plan.point.snapshot;
    report.site = ctx.secondary.name;
    const checks: (string | string[])[] = [...rp.policy.drill.checks, ...options.checks];
    const env = {
      HBACKUP_SERVICE: service,
      HBACKUP_DRILL_POINT: plan.point.snapshot,
      HBACKUP_DRILL_SITE: ctx.secondary.name,
      HBACKUP_FS_DEFAULTFS: ctx.secondary.cluster.fs ?? '',
      // HDFS names never hold ":", table names never a space: each list splits without doubt.
      HBACKUP_DRILL_DIRS: plan.scratch
        .filter((s) => s.type === 'hdfs')
        .map((s) => s.name)
        .join(':'),
      HBACKUP_DRILL_TABLES: plan.scratch
        .filter((s) => s.type === 'hbase')
        .map((s) => s.name)
        .join(' '),
      HBACKUP_DRILL_HIVE_TABLES: plan.scratch
        .filter((s) => s.type === 'hive')
        .map((s) => s.name)
        .join(' '),
    };
    const checkChanges = checks.map((c) => commandChange('local', { argv: checkArgv(c), env }));
    if (options.dryRun) {
      report.planned = planOf(stepsOf(plan, checkChanges, options.keep));
      return 'planned';
    }
    for (const c of plan.cleanup) await perform(ctx, c);
    made(TITLES.cleanup, plan.cleanup);
    const restore: RestorePlan =
      plan.restore ?? (await planRestore(ctx, { point: plan.point.stamp, on: 'secondary', suffix: DRILL_SUFFIX, datasets: undefined }));
    try {
      await restoreAndCheck(ctx, restore, report, (changes) => made(TITLES.restore(plan.point.snapshot), changes));
      for (const [i, change] of checkChanges.entries()) {
        made(TITLES.checks, [change]);
        const t0 = io.now().getTime();
        const command = (change as Extract<typeof change, { command: unknown }>).command;
        const r = await run(ctx, command, { timeoutMs: rp.policy.drill.timeoutSeconds * 1000 });
        const exitCode = r.exitCode ?? null;
        report.checks.push({ command: checkText(checks[i]!), exitCode, ms: io.now().getTime() - t0 });
        if (exitCode !== 0)
          report.problems.push(
            `check ${checkText(checks[i]!)} ${exitCode === null ? 'was stopped' : `exited with ${exitCode}`}${lastLine(r.stderr, ': ')}`,
          );
      }
    } catch (e) {
      // Whatever stopped the drill is its failure, recorded as such.
      report.problems.push((e as Error).message);
      throw e;
    } finally {
      const result = report.problems.length ? 'failed' : 'ok';
      const record: DrillRecord = {
        format: 1,
        service,
        stamp,
        point: plan.point.snapshot,
        pointStamp: plan.point.stamp,
        site: ctx.secondary.name,
        startedAt: started.toISOString(),
        completedAt: io.now().toISOString(),
        result,
        restoreMs: report.restoreMs,
        durationMs: io.now().getTime() - started.getTime(),
        datasets: report.datasets,
        checks: report.checks,
        problems: report.problems,
        kept: options.keep,
      };
      report.recorded = await io.progress.step(`${service}: record the drill`, () => writeDrill(ctx.secondary.hdfs, record));
      made(TITLES.record, plan.record);
      if (!options.keep) {
        await io.progress.step(`${service}: remove the scratch copies`, async () => {
          // Only what exists: a restore that failed may have made none of it.
          const { scratch } = await leftOver(ctx, plan.targets);
          const changes = removal(ctx.secondary, scratch);
          for (const c of changes) await perform(ctx, c);
          made(TITLES.remove, changes);
        });
      }
    }
    if (report.problems.length) throw new DrillFailed(report.problems);
    return 'ok';
  }).finally(() => lock?.release());
  return report;
}

class DrillFailed extends HbackupError {
  constructor(problems: string[]) {
    super(`drill failed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
  }
}

/** Restore every data set beside the live data (timed), then check each; problems go into the report. */
async function restoreAndCheck(
  ctx: ReturnType<typeof openFlow>,
  restore: RestorePlan,
  report: DrillReport,
  sending: (changes: Change[]) => void,
): Promise<void> {
  const t0 = ctx.now().getTime();
  const restored: typeof restore.items = [];
  for (const item of restore.items) {
    const kind = kindOf(item.record.type);
    const entry: DrillDataset = {
      type: item.record.type,
      source: item.record.source,
      scratch: item.to,
      files: 0,
      bytes: 0,
      checked: [],
      problems: [],
    };
    report.datasets.push(entry);
    try {
      // A table's snapshot is read first: a store file it lacks is named, not a clone's stack trace.
      if (item.record.type === 'hbase') {
        const r = await look(ctx, ctx.secondary.tool('hbase', infoArgs(item.record.snapshot)));
        const info = parseSnapshotInfo(`${r.stdout}\n${r.stderr}`, item.record.snapshot);
        if (info.problems.length) {
          entry.problems.push(
            `table ${item.record.target}: snapshot ${item.record.snapshot} is damaged on ${ctx.secondary.name}: ${info.problems.slice(0, 3).join('; ')}`,
          );
          continue;
        }
        entry.checked.push(`the snapshot's ${info.files.size} store file(s) present`);
      }
      await ctx.progress.step(`${item.record.source}: ${item.method} → ${item.to}`, async () => {
        sending(item.changes);
        await kind.restore(ctx, item);
        const v = await kind.verifyRestore(ctx, item);
        Object.assign(entry, { files: v.files, bytes: v.bytes });
        entry.checked.push(
          item.record.type === 'hbase'
            ? 'store files against the snapshot'
            : item.record.type === 'hive'
              ? `the metastore's table as at the restore point, ${v.partitions ?? 0} partition(s)`
              : 'file, directory and byte counts',
        );
      });
      restored.push(item);
    } catch (e) {
      entry.problems.push((e as Error).message);
    }
  }
  if (restored.length === restore.items.length) report.restoreMs = ctx.now().getTime() - t0;
  const site = ctx.secondary;
  for (const item of restored.filter((i) => i.record.type === 'hdfs')) {
    const entry = report.datasets.find((d) => d.scratch === item.to)!;
    const scratch = item.to.slice(site.name.length + 1);
    const c = await ctx.progress.step(`${item.record.source}: check ${scratch}`, () =>
      checkDirectory(site.hdfs, snapshotPath(item.record.target, item.record.snapshot), scratch, item.record.verification.digest),
    );
    entry.checked.push(...c.checked);
    entry.problems.push(...c.problems.map((p) => `${scratch}/${p}`));
  }
  const tables = restored.filter((i) => i.record.type === 'hbase');
  if (tables.length) {
    const names = tables.map((i) => i.to.slice(site.name.length + 1));
    const r = await ctx.progress.step(`scan ${names.join(', ')}`, () =>
      look(ctx, site.tool('hbase', ['shell', '-n']), { input: scanInput(names) }),
    );
    for (const s of parseScans(r.stdout, names)) {
      const entry = report.datasets.find((d) => d.scratch === `${site.name}:${s.table}`)!;
      if ('problem' in s) entry.problems.push(`${s.table}: full scan failed: ${s.problem}`);
      else entry.checked.push(`full scan: ${s.rows} rows, ${s.cells} cells read`);
    }
  }
  for (const d of report.datasets) report.problems.push(...d.problems.map((p) => (p.startsWith(d.source) ? p : `${d.source}: ${p}`)));
}

/** How the drill's steps read, in its plan and in what it made. */
const TITLES = {
  cleanup: 'remove what an earlier drill left',
  restore: (snapshot: string) => `restore ${snapshot} beside the live data`,
  checks: 'run the checks',
  record: 'record the drill',
  remove: 'remove the scratch copies',
};

/** The drill as steps, for its plan. */
function stepsOf(plan: DrillPlan, checks: Change[], keep: boolean): Step[] {
  const restore = plan.restore?.items.flatMap((i) => i.changes) ?? [];
  return [
    ...(plan.cleanup.length ? [{ id: 'cleanup', title: TITLES.cleanup, changes: plan.cleanup }] : []),
    {
      id: 'restore',
      title: TITLES.restore(plan.point.snapshot),
      changes: restore,
      ...(plan.restore ? {} : { later: 'once what an earlier drill left is removed' }),
    },
    { id: 'checks', title: TITLES.checks, changes: checks },
    { id: 'record', title: TITLES.record, changes: plan.record },
    ...(keep ? [] : [{ id: 'remove', title: TITLES.remove, changes: plan.removal }]),
  ];
}
