// A crash leaves nothing behind: backups killed with kill -9 (the whole process group, DistCp
// included) at every step the plan names, at random moments — at the snapshots, during a copy, during the roll-back of a target a
// killed copy left half-written, at the catalog entry, at retention — twenty times, with data changing
// in between; restores killed during their roll-back; a sync-users --contents killed during its copy.
// After one clean backup, either site holds exactly the snapshots of the listed restore points (and a
// quarantine made on purpose), /.hbackup holds only what hbackup keeps, and list reports nothing left over.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  backup,
  bytes,
  east,
  ensureSandboxUp,
  hbackup,
  putTree,
  restorePoints,
  runId,
  snapshottable,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';
import { killAt } from './plans.js';

const id = runId();
const root = `/it/crash-${id}`;
const dirs = [`${root}/a`, `${root}/b`];
const service = `crash-${id}`;
let policy = '';

/** Where a backup can be cut: the begin line of each step the plan names, and inside a copy or a roll-back. */
const POINTS: RegExp[] = [
  /… \S+: preflight/,
  /… \S+: snapshot \d+ data set/,
  /… \S+ → west:/,
  /Number of paths in the copy list|mapreduce\.Job: Running job/,
  /-rdiff hb-\S+\.before-rollback/,
  /… \S+: record restore point/,
  /op=DELETESNAPSHOT/,
];

/** Every snapshot of the service on both sites that is not a listed restore point's (nor a quarantine). */
async function strays(): Promise<string[]> {
  const listed = new Set((await restorePoints(policy)).map((p) => p.snapshot));
  const out: string[] = [];
  for (const [site, h] of [
    ['east', webhdfs(east)],
    ['west', webhdfs(west)],
  ] as const) {
    for (const d of dirs) {
      if (!(await h.getFileStatus(d))?.snapshotEnabled) continue;
      for (const s of await h.listSnapshots(d)) if (!listed.has(s) && !s.startsWith('hbackup-quarantine-')) out.push(`${site}:${d}/${s}`);
    }
  }
  return out;
}

/** What /.hbackup holds for this service beyond its catalog entries, and anything hbackup does not keep there. */
async function hbackupDirStrays(): Promise<string[]> {
  const out: string[] = [];
  for (const [site, h] of [
    ['east', webhdfs(east)],
    ['west', webhdfs(west)],
  ] as const) {
    for (const s of await h.listStatus('/.hbackup'))
      if (!['catalog', 'drills', 'identity', 'targets'].includes(s.pathSuffix)) out.push(`${site}:/.hbackup/${s.pathSuffix}`);
    if (await h.getFileStatus(`/.hbackup/catalog/${service}`))
      for (const s of await h.listStatus(`/.hbackup/catalog/${service}`))
        if (!/^\d{8}T\d{6}Z\.json$/.test(s.pathSuffix)) out.push(`${site}:/.hbackup/catalog/${service}/${s.pathSuffix}`);
    // (The identities' own temporary files are a failover's: its next run removes them.)
  }
  return out;
}

describe('a crash leaves nothing behind', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    for (const d of dirs) await snapshottable(d, { 'base.bin': bytes(200_000) });
    policy = writePolicy({
      service,
      datasets: dirs.map((hdfs) => ({ hdfs })),
      // DistCp copies every diff (direct: off), slowly: runs are cut inside its jobs (direct copies: direct.test.ts).
      copy: { mappers: 1, bandwidthMBps: 2, direct: 'off' },
      retention: { primary: 2, secondary: 4 },
    });
    expect((await backup(policy)).report).toMatchObject({ result: 'ok' });
  });

  it('twenty backups killed at each step in turn, at random moments, then one clean run: only the restore points remain', async () => {
    const cuts: string[] = [];
    for (let i = 0; i < 20; i++) {
      // New data every time, and now and then a target written to (the next run rolls it back).
      await putTree(east, dirs[i % 2]!, { [`n${i}.bin`]: bytes(1_500_000 + i * 1000, i + 3) });
      if (i % 5 === 2) await webhdfs(west).createFile(`${dirs[0]}/touched-${i}.txt`, 'written on the secondary', true);
      // Each point in turn (each at least twice), cut after a random delay: the same step, never the same moment.
      const at = POINTS[i % POINTS.length]!;
      const r = await killAt(['backup', policy], at, Math.floor(Math.random() * 1500));
      cuts.push(`${at.source.slice(0, 24)}${r.killed ? '' : ' (ended first)'}`);
    }
    // What a leak would look like is said, not hidden, before the clean run removes it.
    const before = JSON.parse(String((await hbackup(['list', policy, '--json'])).stdout));
    expect(before.leftovers.length, cuts.join('; ')).toBe(
      (await strays()).length + before.leftovers.filter((l: any) => l.what === 'file').length,
    );

    const clean = await backup(policy, '--checksums');
    expect(clean.report, clean.stderr).toMatchObject({ result: 'ok' });
    expect(await strays(), cuts.join('; ')).toEqual([]);
    expect(await hbackupDirStrays()).toEqual([]);
    expect(JSON.parse(String((await hbackup(['list', policy, '--json'])).stdout)).leftovers).toEqual([]);
  });

  it('restores killed during their roll-back and a sync-users --contents killed in its copy: the next clean backup leaves nothing', async () => {
    for (let i = 0; i < 3; i++) {
      await webhdfs(west).createFile(`${dirs[1]}/stray-${i}.bin`, bytes(2_000_000, i + 11), true);
      await killAt(['restore', policy, '--yes', '--datasets', dirs[1]!], /-rdiff|op=CREATESNAPSHOT.*before-restore/, 300 + i * 400);
    }
    await putTree(east, `/user/crash-${id}`, { 'notes.bin': bytes(3_000_000, 9) });
    await killAt(['sync-users', '--contents'], /Number of paths in the copy list|mapreduce\.Job: Running job/, 200);
    // And one left by hand: list says it is there, and what it references.
    await webhdfs(west).createSnapshot(dirs[0]!, `hb-${service}-20200101T000000Z`);
    const listed = JSON.parse(String((await hbackup(['list', policy, '--json'])).stdout));
    expect(listed.leftovers).toEqual(
      expect.arrayContaining([
        { site: 'west', path: `${dirs[0]}/.snapshot/hb-${service}-20200101T000000Z`, what: 'snapshot', bytes: expect.any(Number) },
      ]),
    );
    const clean = await backup(policy);
    expect(clean.report, clean.stderr).toMatchObject({ result: 'ok' });
    expect(await strays()).toEqual([]);
    expect(await hbackupDirStrays()).toEqual([]);
  });
});
