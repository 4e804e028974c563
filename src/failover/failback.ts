/**
 * `failback`: bring a stale old primary back as the secondary, without losing sight of its writes.
 *
 * Per service: the newest restore point both sites share (the old primary still holds its snapshots);
 * a quarantine snapshot of each of its data sets — never deleted by hbackup — keeps what it holds
 * now, and what changed since the shared point is listed (the writes the failover lost). Then its
 * data sets are rolled back to the shared point, the catalog follows, it takes the secondary identity
 * at the current epoch, and a backup copies forward what the new primary wrote since. `--switch` ends
 * with a planned switchover back.
 */

import { type RestorePoint, readCatalog } from '../catalog/catalog.js';
import type { NamedCluster, ResolvedPolicy } from '../config/load.js';
import { kindOf } from '../datasets/index.js';
import { type RestorePlan, restoreItems } from '../datasets/restore.js';
import { PreflightError } from '../errors.js';
import { type Change, commandChange, httpChange, perform, run } from '../flow/change.js';
import { type FlowIo, openFlow, openPair } from '../flow/context.js';
import { settle } from '../flow/outcome.js';
import { infoArgs, parseSnapshotInfo } from '../hbase/info.js';
import { statements } from '../hbase/shell.js';
import { tableSnapshotName } from '../hbase/tables.js';
import { ops } from '../hdfs/requests.js';
import { claimEpoch, writeIdentity } from '../identity/identity.js';
import { momentOf, momentStamp } from '../names/names.js';
import type { Site } from '../sites/site.js';
import { applyCarry, type CatalogCarry, planCarry } from './carry.js';
import { failover } from './failover.js';
import { endpointOf, FLOW, newReport, type PairOptions, type PairReport, pairStatus, roles, type ServiceReport, safeMode } from './pair.js';
import { lastBackups } from './switchover.js';

export interface FailbackOptions extends PairOptions {
  switch: boolean;
}

/** A quarantine snapshot's name: not one of the service's restore points, so retention never touches it. */
export const quarantineName = (service: string, stamp: string) => `hbackup-quarantine-${service}-${stamp}`;

interface ServiceFailback {
  rp: ResolvedPolicy;
  carry: CatalogCarry;
  shared: RestorePoint | undefined;
  quarantine: { record: RestorePoint['datasets'][number]; name: string; change: Change }[];
  restore: RestorePlan | undefined;
}

/** Read-only: per service, the shared point, the quarantine snapshots and the roll-back. */
async function planService(rp: ResolvedPolicy, primary: NamedCluster, old: Site, stamp: string, io: FlowIo): Promise<ServiceFailback> {
  const { service } = rp.policy;
  const ctx = openFlow(rp, roles(primary, old.cluster), FLOW, io);
  const carry = await planCarry(old, await readCatalog(ctx.primary.hdfs, service), await readCatalog(old.hdfs, service));
  const shared = carry.write.at(-1);
  const name = quarantineName(service, stamp);
  const records = shared?.datasets ?? [];
  const quarantine = records.map((record) =>
    record.type === 'hdfs'
      ? { record, name, change: httpChange(old, ops.createSnapshot(record.target, name)) }
      : {
          record,
          name: tableSnapshotName(name, record.target),
          change: commandChange(
            old.name,
            old.tool('hbase', ['shell', '-n']),
            `${statements.snapshot(record.target, tableSnapshotName(name, record.target))}\n`,
          ),
        },
  );
  let restore: RestorePlan | undefined;
  if (shared) {
    const items = [];
    for (const r of shared.datasets) items.push(await kindOf(r.type).planRestore(ctx, r, { on: 'secondary', suffix: undefined }));
    restore = { point: shared, on: 'secondary', site: old.name, items };
  }
  return { rp, carry, shared, quarantine, restore };
}

/** What the old primary changed since the shared point, kept in the quarantine snapshot. */
async function lostWrites(p: ReturnType<typeof openPair>, old: Site, s: ServiceFailback) {
  const out: NonNullable<ServiceReport['lostWrites']> = [];
  for (const q of s.quarantine) {
    if (q.record.type === 'hdfs') {
      const diff = await old.hdfs.snapshotDiff(q.record.target, s.shared!.snapshot, q.name);
      out.push({
        dataset: q.record.target,
        quarantine: `${q.record.target}/.snapshot/${q.name}`,
        changes: diff.map((e) => `${e.type} ${e.sourcePath || '.'}${e.targetPath ? ` → ${e.targetPath}` : ''}`),
      });
      continue;
    }
    const info = async (name: string) =>
      parseSnapshotInfo(((r) => `${r.stdout}\n${r.stderr}`)(await run(p, old.tool('hbase', infoArgs(name)))), name);
    const [before, now] = await Promise.all([info(q.record.snapshot), info(q.name)]);
    const same = before.files.size === now.files.size && [...now.files.keys()].every((f) => before.files.has(f));
    out.push({
      dataset: q.record.target,
      quarantine: q.name,
      changes: same ? [] : ['table changed (its store files differ from the shared restore point)'],
    });
  }
  return out;
}

export async function failback(
  pair: [NamedCluster, NamedCluster],
  services: ResolvedPolicy[],
  options: FailbackOptions,
  io: FlowIo,
): Promise<PairReport> {
  const started = io.now().getTime();
  const report = newReport('failback', options.dryRun);
  try {
    const sites = await pairStatus(pair, io);
    const stale = sites.find((s) => s.stale);
    const current = sites.find((s) => s.role === 'primary' && !s.stale);
    if (!stale || !current) {
      if (!options.switch) {
        report.warnings.push('no site is stale: nothing to fail back (--switch swaps the roles in a planned switchover)');
        report.result = options.dryRun ? 'planned' : 'ok';
        return report;
      }
      const switched = await failover(pair, services, { ...options, emergency: false }, io);
      return { ...switched, command: 'failback' };
    }
    if (!stale.reachable)
      throw new PreflightError([`${stale.site} does not answer (${stale.error ?? 'no answer'}): start it, then fail back`]);
    const epoch = current.identity!.epoch;
    const primary = pair.find((c) => c.name === current.site)!;
    Object.assign(report, { from: stale.site, to: current.site, epoch });
    const p = openPair(pair, io);
    const old = p.site(stale.site);
    const stamp = momentStamp(momentOf(io.now()));
    const plans: ServiceFailback[] = [];
    for (const rp of services) plans.push(await planService(rp, primary, old, stamp, io));

    const steps: { step: string; site: string; change: string }[] = [];
    if (stale.namenode.safemode) steps.push({ step: 'lift safe mode', site: old.name, change: safeMode(old, 'leave').text });
    for (const s of plans) {
      const svc = s.rp.policy.service;
      const add = (step: string, c: Change[]) => steps.push(...c.map((x) => ({ step: `${svc}: ${step}`, site: x.site, change: x.text })));
      report.services.push({
        service: svc,
        restorePoint: s.shared?.snapshot ?? null,
        moment: s.shared?.moment ?? null,
        rpoSeconds: null,
        datasets: s.restore?.items.map((i) => ({ type: i.record.type, to: i.to, method: i.method })) ?? [],
      });
      add(
        'quarantine',
        s.quarantine.map((q) => q.change),
      );
      add(
        `roll back to ${s.shared?.snapshot ?? '(no shared restore point: a full copy follows)'}`,
        s.restore?.items.flatMap((i) => i.changes) ?? [],
      );
      steps.push({
        step: `${svc}: catalog`,
        site: old.name,
        change: `${old.name}: holds ${s.carry.write.length} restore point(s) of ${current.site}'s catalog`,
      });
    }
    steps.push({ step: 'identity', site: old.name, change: `${old.name}: identity secondary at epoch ${epoch}` });
    for (const s of plans)
      steps.push({ step: `${s.rp.policy.service}: copy forward`, site: current.site, change: `backup ${current.site} → ${old.name}` });
    if (options.switch)
      steps.push({ step: 'switch', site: old.name, change: `failover: planned switchover ${current.site} → ${old.name}` });
    report.endpoint = endpointOf(options.switch ? old.cluster : primary);
    if (options.dryRun) {
      report.planned = steps;
      report.result = 'planned';
      return report;
    }
    if (!options.yes) {
      const question = `Roll ${old.name} back to the restore points it shares with ${current.site} (what it holds now is kept in quarantine snapshots)?`;
      if (!options.confirm)
        throw new PreflightError(['failback rolls the old primary back: pass --yes, or run it on a terminal to be asked']);
      if (!(await options.confirm(question))) throw new PreflightError(['not confirmed; nothing was changed']);
    }

    // Out of safe mode first: nothing (not even the claim) can be written before.
    if (stale.namenode.safemode) await io.progress.step(`${old.name}: leave safe mode`, () => perform(p, safeMode(old, 'leave')));
    const claim = await claimEpoch(old.hdfs, { site: old.name, epoch, command: 'failback' }, io.now());
    try {
      for (const [k, s] of plans.entries()) {
        const svc = s.rp.policy.service;
        const r = report.services[k]!;
        await io.progress.step(
          `${svc}: quarantine what ${old.name} holds`,
          async () => {
            for (const q of s.quarantine) await perform(p, q.change);
            if (s.shared) r.lostWrites = await lostWrites(p, old, s);
          },
          () =>
            `${svc}: ${r.lostWrites?.reduce((n, l) => n + l.changes.length, 0) ?? 0} change(s) since ${s.shared?.snapshot ?? 'ever'} kept in quarantine`,
        );
        await applyCarry(old, svc, s.carry);
        if (s.restore && s.shared) {
          const ctx = openFlow(s.rp, roles(primary, old.cluster), FLOW, io);
          await restoreItems(ctx, s.restore, r.datasets);
          // The shared snapshot is taken again over the rolled-back data: the next copy is a diff from it.
          for (const d of s.shared.datasets.filter((x) => x.type === 'hdfs')) {
            await old.hdfs.deleteSnapshot(d.target, d.snapshot);
            await old.hdfs.createSnapshot(d.target, d.snapshot);
          }
        }
      }
      await writeIdentity(old.hdfs, { site: old.name, role: 'secondary', epoch, reason: 'failback' }, io.now());
    } finally {
      await claim.release();
    }
    const backups = await lastBackups(services, { ...FLOW, adoptTarget: plans.some((s) => !s.shared), dryRun: false }, io);
    for (const [k, b] of backups.entries()) {
      report.services[k]!.restorePoint = b.restorePoint;
      report.services[k]!.moment = b.moment;
      if (b.result !== 'ok') report.warnings.push(`${b.service}: the copy forward failed: ${b.error}; run hbackup backup again`);
    }
    if (report.warnings.length) {
      report.result = 'failed';
      return report;
    }
    if (options.switch) {
      const switched = await failover(pair, services, { dryRun: false, yes: true, emergency: false, confirm: undefined }, io);
      report.warnings.push(...switched.warnings);
      Object.assign(report, {
        result: switched.result,
        error: switched.error,
        endpoint: switched.endpoint,
        switched: { epoch: switched.epoch, services: switched.services },
      });
      return report;
    }
    report.result = 'ok';
  } catch (e) {
    settle(report, e, (t) => io.progress.debug(t));
  } finally {
    report.durationMs = io.now().getTime() - started;
  }
  return report;
}
