/**
 * The moment and the copy of HBase tables: one shell session on the primary, started before the
 * moment, takes every table's snapshot at once; ExportSnapshot copies each to the secondary's
 * hbase.rootdir; SnapshotInfo on both sides proves the copy holds every file at its size.
 */

import { describeCommand, look, run } from '../../core/change.js';
import { HbackupError, ToolError } from '../../errors.js';
import { exportFailureHint, exportProblem, parseExportCounters } from '../../hbase/export.js';
import { compareSnapshotFiles, infoArgs, parseSnapshotInfo } from '../../hbase/info.js';
import { FIRED, fireLine, parseOutcome, READY, SESSION_END, SESSION_SETUP } from '../../hbase/shell.js';
import type { CopyResult, FlowContext, SnapshotTiming, Trigger, Verification } from '../kind.js';
import type { HbasePlan } from './plan.js';

/** How long the shell may take to start and connect, and to take the snapshots. */
const READY_TIMEOUT_MS = 180_000;
const FIRE_TIMEOUT_MS = 600_000;

export async function armHbase(ctx: FlowContext, plans: HbasePlan[]): Promise<Trigger> {
  const cmd = ctx.primary.tool('hbase', ['shell', '-n']);
  ctx.debug(`start: ${describeCommand(cmd)} (kept open for the moment; the line that takes the snapshots follows)`);
  const session = ctx.spawn(cmd);
  try {
    session.write(SESSION_SETUP);
    await session.waitFor(READY, READY_TIMEOUT_MS);
  } catch (e) {
    session.kill();
    throw e;
  }
  return {
    async fire() {
      const requestedAt = ctx.now().getTime();
      // What the session receives, logged as it is sent: the one line the plan names.
      const line = fireLine(plans.map((p) => ({ table: p.spec.source, name: p.snapshot })));
      ctx.debug(`run: ${describeCommand(cmd, line)}`);
      session.write(line);
      const done = new Map<string, number>();
      const failures: string[] = [];
      for (;;) {
        const line = await session.waitFor(/^hbackup:(done|failed|fired)\b/, FIRE_TIMEOUT_MS);
        if (FIRED.test(line)) break;
        const outcome = parseOutcome(line);
        if (!outcome) continue;
        if (outcome.ok) done.set(outcome.name, ctx.now().getTime());
        else failures.push(`${plans.find((p) => p.snapshot === outcome.name)?.spec.source ?? outcome.name}: ${outcome.why}`);
      }
      if (failures.length) throw new HbackupError(`HBase snapshot failed: ${failures.join('; ')}`);
      return plans.map((p): SnapshotTiming => ({ requestedAt, completedAt: done.get(p.snapshot) ?? ctx.now().getTime() }));
    },
    async close() {
      session.write(SESSION_END);
      // The shell has 30 s to leave; the timer is cleared once it has, or it would keep hbackup running.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        session.end(),
        new Promise((r) => {
          timer = setTimeout(r, 30_000, undefined);
        }),
      ]);
      clearTimeout(timer);
      if (!ended) session.kill();
    },
  };
}

export async function exportHbase(ctx: FlowContext, plan: HbasePlan, update: (text: string) => void): Promise<CopyResult> {
  const started = ctx.now().getTime();
  if (!('command' in plan.exportChange)) throw new Error('an export is a command');
  const r = await run(ctx, plan.exportChange.command, {
    onStderrLine: (line) => {
      ctx.debug(line);
      const m = /mapreduce\.Job:\s+map (\d+)%/.exec(line);
      if (m) update(`${plan.spec.source}: exporting, map ${m[1]}%`);
    },
  });
  const log = `${r.stdout}\n${r.stderr}`;
  if (r.exitCode !== 0) throw new ToolError(plan.exportChange.command.argv, r.exitCode, r.stderr, exportFailureHint(r.stderr));
  const problem = exportProblem(log, plan.snapshot);
  if (problem) throw new HbackupError(`${plan.spec.source}: export of ${plan.snapshot} failed: ${problem}`);
  const c = parseExportCounters(log);
  return {
    mode: plan.mode,
    ...(plan.fallbackReason ? { fallbackReason: plan.fallbackReason } : {}),
    bytesCopied: c.bytesCopied,
    filesCopied: c.filesCopied,
    bytesSkipped: c.bytesSkipped,
    filesSkipped: c.filesSkipped,
    copyMs: ctx.now().getTime() - started,
  };
}

export async function verifyHbase(ctx: FlowContext, plan: HbasePlan): Promise<Verification> {
  const info = async (side: 'primary' | 'secondary') => {
    const r = await look(ctx, ctx[side].tool('hbase', infoArgs(plan.snapshot)));
    return parseSnapshotInfo(`${r.stdout}\n${r.stderr}`, plan.snapshot);
  };
  const [source, copy] = await Promise.all([info('primary'), info('secondary')]);
  const problems = compareSnapshotFiles(source, copy);
  if (copy.ttlSeconds > 0) {
    problems.push(
      `the snapshot has a TTL of ${copy.ttlSeconds} s: its copy would expire on the secondary whatever retention says; set hbase.master.snapshot.ttl to 0 on ${ctx.primary.name}`,
    );
  }
  if (problems.length)
    throw new HbackupError(`${plan.spec.source}: verification of ${plan.snapshot} failed: ${problems.slice(0, 3).join('; ')}`);
  const bytes = [...source.files.values()].reduce((n, b) => n + b, 0);
  return { files: source.files.size, directories: 0, bytes, checksums: false, filesChecksummed: 0 };
}
