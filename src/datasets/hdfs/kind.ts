/**
 * HDFS directories as a data-set kind: snapshots by WebHDFS, copies by DistCp (full, or by
 * snapshot diff), verification by content summary and, when asked, every file's checksum.
 */

import { httpChange } from '../../core/change.js';
import { HbackupError } from '../../errors.js';
import { isInside, snapshotPath } from '../../hdfs/paths.js';
import { ops } from '../../hdfs/requests.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import { stampOfLeftover, stampOfSnapshot } from '../../names/names.js';
import type { BackupContext, DatasetKind, DatasetSpec, OwnSnapshot, PlanFacts } from '../kind.js';
import { verifyChanged } from './changed.js';
import { copyHdfs } from './copy.js';
import { directChanges } from './direct.js';
import { type HdfsPlan, planHdfs } from './plan.js';
import { type HdfsRestore, planHdfsRestore, restoreHdfs, verifyHdfsRestore } from './restore.js';
import { verifyCopy } from './verify.js';

/** What keeps a directory on the primary from being snapshotted, said with the fix. */
async function sourceProblem(hdfs: WebHdfs, dir: string, site: string): Promise<string | undefined> {
  const st = await hdfs.getFileStatus(dir);
  if (!st) return `${dir} does not exist on ${site}`;
  if (st.type !== 'DIRECTORY') return `${dir} on ${site} is not a directory`;
  if (st.snapshotEnabled !== true)
    return `${dir} on ${site} is not snapshottable; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot ${dir}`;
  return undefined;
}

/**
 * Targets that cannot take a copy: nested with another snapshottable directory, not a directory,
 * another service's, or holding data this service did not write (DistCp's -delete would remove
 * what the source lacks) unless --adopt-target says to replace it.
 */
async function targetProblems(ctx: BackupContext, specs: DatasetSpec[], facts: PlanFacts): Promise<string[]> {
  const { secondary, service } = ctx;
  const site = secondary.name;
  const reasons: string[] = [];
  const snapshottable = await secondary.hdfs.snapshottableDirs();
  const own = new Set([...(facts.claims.get(service) ?? []), ...facts.targetsInCatalog]);
  for (const { target: t } of specs) {
    for (const s of snapshottable) {
      if (s !== t && (isInside(t, s) || isInside(s, t))) {
        reasons.push(`target ${t} on ${site} is nested with the snapshottable directory ${s}; HDFS cannot snapshot both`);
      }
    }
    for (const [other, targets] of facts.claims) {
      if (other === service) continue;
      const clash = targets.find((c) => c === t || isInside(t, c) || isInside(c, t));
      if (clash) reasons.push(`target ${t} on ${site} overlaps ${clash}, the target of service ${other}; give each service its own target`);
    }
    const st = await secondary.hdfs.getFileStatus(t);
    if (!st) continue;
    if (st.type !== 'DIRECTORY') {
      reasons.push(`target ${t} on ${site} exists and is not a directory`);
      continue;
    }
    if (own.has(t) || ctx.options.adoptTarget) continue;
    const held = await secondary.hdfs.contentSummary(t);
    // An encryption zone made for the copy holds the empty .Trash that `hdfs crypto -createZone` gives it.
    const zoneTrash = st.encBit && held.fileCount === 0 && held.directoryCount === 2 && (await secondary.hdfs.getFileStatus(`${t}/.Trash`));
    if (held.fileCount + held.directoryCount - 1 > 0 && !zoneTrash) {
      reasons.push(
        `target ${t} on ${site} already holds ${held.fileCount ? `${held.fileCount} file(s)` : `${held.directoryCount - 1} directories`} that service ${service} did not write; ` +
          'choose an empty or new target, or pass --adopt-target to let the first copy replace its contents (what the source lacks is deleted)',
      );
    }
  }
  return reasons;
}

export const hdfsKind: DatasetKind<HdfsPlan, HdfsRestore> = {
  type: 'hdfs',

  spec: (entry) => (entry.hdfs === undefined ? undefined : { type: 'hdfs', source: entry.hdfs, target: entry.target ?? entry.hdfs }),

  sourceProblem: (primary, spec) => sourceProblem(primary.hdfs, spec.source, primary.name),

  targetProblems,

  plan: planHdfs,

  moment: (plans) => plans.map((p) => p.snapshotChange),
  changes: (plan) => ({
    copy: [
      ...plan.stop,
      ...plan.prepare,
      ...(plan.rollback?.changes ?? []),
      ...(plan.mode === 'unchanged' ? [] : plan.direct && 'copy' in plan.direct ? directChanges(plan.direct.copy) : [plan.copyCommand]),
      plan.targetSnapshotChange,
    ],
  }),

  // A snapshot is one WebHDFS call: nothing to start ahead.
  arm: async (ctx, plans) => ({
    fire: () =>
      Promise.all(
        plans.map(async (p) => {
          const requestedAt = ctx.now().getTime();
          await ctx.primary.hdfs.send(ops.createSnapshot(p.spec.source, p.snapshot));
          return { requestedAt, completedAt: ctx.now().getTime() };
        }),
      ),
    close: async () => {},
  }),

  copy: copyHdfs,

  async verify(ctx, plan, copied) {
    const src = ctx.primary.hdfs;
    const dst = ctx.secondary.hdfs;
    // After an incremental copy, checksums follow the change; the full walk when that cannot be exact.
    const follow = !plan.allChecksums && plan.previousSnapshot && copied.mode !== 'full';
    const changed = follow
      ? await verifyChanged(
          src,
          plan.spec.source,
          dst,
          plan.spec.target,
          plan.previousSnapshot!,
          plan.snapshot,
          plan.previousDigest,
          plan.checksums,
          copied.sourceDiff,
        )
      : undefined;
    const v = changed ?? (await verifyCopy(src, plan.spec.source, dst, plan.spec.target, plan.snapshot, plan.checksums));
    if (!v.ok) throw new HbackupError(`${plan.spec.target}: verification failed: ${v.problems.slice(0, 3).join('; ')}`);
    return {
      files: v.files,
      directories: v.directories,
      bytes: v.bytes,
      checksums: plan.checksums,
      ...(plan.checksumsSkipped ? { checksumsSkipped: plan.checksumsSkipped } : {}),
      filesChecksummed: v.filesChecksummed,
      ...(v.digest ? { digest: v.digest } : {}),
      scope: changed ? ('changed' as const) : ('all' as const),
    };
  },

  async snapshots(site, spec, side, service) {
    const dir = spec[side];
    const st = await site.hdfs.getFileStatus(dir);
    if (!st?.snapshotEnabled) return [];
    const out: OwnSnapshot[] = [];
    for (const name of await site.hdfs.listSnapshots(dir)) {
      const stamp = stampOfSnapshot(service, name);
      const left = stamp ? undefined : stampOfLeftover(service, name);
      if (stamp) out.push({ name, stamp });
      else if (left) out.push({ name, stamp: left, leftover: true });
    }
    return out;
  },

  deleteSnapshots: (site, refs) => refs.map((r) => httpChange(site, ops.deleteSnapshot(r.location, r.name))),

  async missing(secondary, record) {
    const st = await secondary.hdfs.getFileStatus(record.target);
    const has = st?.snapshotEnabled ? (await secondary.hdfs.listSnapshots(record.target)).includes(record.snapshot) : false;
    return has ? [] : [snapshotPath(record.target, record.snapshot)];
  },

  planRestore: planHdfsRestore,

  restore: restoreHdfs,

  verifyRestore: verifyHdfsRestore,
};
