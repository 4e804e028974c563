// The backup flow in-process, against two in-memory clusters and a runner that plays DistCp:
// mode decisions, fallback, clean-up after a crash, hook order and retention. (The integration
// tests prove the same against real Hadoop; plan.test.ts covers dry runs and outcomes.)
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { distcp } from '../fakes/runner.js';
import { world } from '../fakes/world.js';

/** A DistCp argv without Hadoop's generic -D options (the job's name and tags). */
const withoutJob = (argv: string[]) => argv.filter((a) => !a.startsWith('-D'));

const ORDERS = { 'a.txt': 'aaaa', 'b.txt': 'bbbbbbbb', 'old/c.txt': 'cc', 'gone.txt': 'g' };

describe('backup flow', () => {
  it('copies in full first, then by snapshot diff only what changed, and records both restore points', async () => {
    const w = world();
    w.source('/data/raw', ORDERS);
    w.source('/data/wh', { 'x.txt': 'x' });
    const policy = w.policy({ service: 'orders', datasets: [{ hdfs: '/data/raw' }, { hdfs: '/data/wh', target: '/dr/wh' }] });

    const first = await w.cli('--json', 'backup', policy);
    expect(first.code, first.stderr).toBe(0);
    expect(first.report).toMatchObject({ result: 'ok', restorePoint: 'hb-orders-20261125T020000Z', dryRun: false });
    expect(first.report!.datasets[0]).toMatchObject({
      snapshotRequestedAt: '2026-11-25T02:00:00.000Z',
      snapshotCompletedAt: '2026-11-25T02:00:00.000Z',
    });
    expect(first.report!.datasets.map((d: any) => [d.mode, d.reason, d.bytesCopied])).toEqual([
      ['full', 'first backup of the service', 15],
      ['full', 'first backup of the service', 1],
    ]);

    w.later();
    w.east.write('/data/raw/new.txt', 'nnnnnnn');
    w.east.write('/data/raw/a.txt', 'AAAAA');
    w.east.remove('/data/raw/gone.txt');
    w.east.rename('/data/raw/old', '/data/raw/new');
    w.east.diffs.clear();
    w.west.diffs.clear();
    const second = await w.cli('--json', 'backup', policy);
    expect(second.code, second.stderr).toBe(0);
    // Each diff walks the snapshot root's whole tree on the NameNode: per data set the source's is
    // asked once (by the copy at the moment; verification follows it too, the plan leaves it to a
    // dry run) and the target's once (untouched since the previous point?).
    expect(Object.fromEntries(w.east.diffs)).toEqual({ '/data/raw': 1, '/data/wh': 1 });
    expect(Object.fromEntries(w.west.diffs)).toEqual({ '/data/raw': 1, '/dr/wh': 1 });
    expect(second.report!.datasets.map((d: any) => [d.mode, d.bytesCopied, d.filesCopied])).toEqual([
      ['incremental', 12, 2],
      // Nothing changed in /data/wh: no DistCp for it, the target only snapshotted (and verified).
      ['unchanged', 0, 0],
    ]);
    const name = 'hb-orders-20261125T030000Z';
    expect(w.west.tree(`/data/raw/.snapshot/${name}`)).toEqual(w.east.tree(`/data/raw/.snapshot/${name}`));
    expect(w.west.tree(`/dr/wh/.snapshot/${name}`)).toEqual(w.east.tree(`/data/wh/.snapshot/${name}`));
    // Where the run's time went, phase by phase, in the order they ran: never more than the whole run.
    const phases = second.report!.phasesMs as Record<string, number>;
    expect(Object.keys(phases).slice(0, 4)).toEqual(['plan', 'snapshots', 'copies', 'catalog']);
    expect(Object.values(phases).every((ms) => Number.isInteger(ms) && ms >= 0)).toBe(true);
    expect(Object.values(phases).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(second.report!.durationMs);
    // The small diff went through WebHDFS: DistCp made only the first, full copies.
    expect(second.report!.datasets[0]).toMatchObject({ copiedBy: 'webhdfs' });
    const distcps = w.rec.commands.map((c) => withoutJob(c.argv).slice(1, 4).join(' '));
    expect(distcps).toEqual(['distcp -update -delete', 'distcp -update -delete']);
    // Each DistCp job is named and tagged: its service, its run and the target it writes into.
    const last = w.rec.commands.at(-1)!.argv;
    expect(last[2]).toBe('-Dmapreduce.job.name=hbackup backup orders 20261125T020000Z west:/dr/wh');
    expect(last[3]).toMatch(
      /^-Dmapreduce\.job\.tags=hbackup,hbackup-service-orders,hbackup-run-orders-20261125t020000z,hbackup-target-[0-9a-f]{24}$/,
    );

    const list = await w.cli('--json', 'list', policy);
    const listing = JSON.parse(list.stdout);
    expect(listing.restorePoints.map((p: any) => [p.snapshot, p.intact])).toEqual([
      ['hb-orders-20261125T020000Z', true],
      [name, true],
    ]);
  });

  it('rolls a touched target back by snapshot diff and stays incremental, listing what it overwrote', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f', 'g.txt': 'g' });
    const policy = w.policy({ service: 'touched', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.west.write('/d/intruder.txt', 'someone was here');
    w.west.write('/d/g.txt', 'changed on the secondary');
    w.east.write('/d/h.txt', 'new on the primary');
    w.later();

    const dry = await w.cli('--json', 'backup', policy, '--dry-run');
    expect(dry.report!.datasets[0]).toMatchObject({
      mode: 'incremental',
      reason: 'diff from hb-touched-20261125T020000Z, after rolling back 3 change(s) made on the target since, through WebHDFS',
    });
    const r = await w.cli('--json', 'backup', policy, '--no-fallback');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.datasets[0]).toMatchObject({ mode: 'incremental' });
    expect(r.report!.datasets[0].rolledBack).toEqual(expect.arrayContaining(['CREATE intruder.txt', 'MODIFY g.txt']));
    // The roll-back is DistCp's; the diff after it, one file, went through WebHDFS.
    expect(w.rec.commands.map((c) => withoutJob(c.argv).slice(1, 4).join(' ')).slice(-1)).toEqual(['distcp -update -rdiff']);
    expect(r.report!.datasets[0]).toMatchObject({ copiedBy: 'webhdfs' });
    expect(w.west.tree('/d')).toEqual(w.east.tree('/d/.snapshot/hb-touched-20261125T030000Z'));
    expect(w.west.snapshots('/d')).not.toContain('hb-touched-20261125T030000Z.before-rollback');
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.restorePoints.at(-1).datasets[0].rolledBack).toEqual(r.report!.datasets[0].rolledBack);
  });

  it('falls back to a full copy when DistCp itself refuses the diff, unless told not to', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    // DistCp copies every diff here (direct: off), so its refusal shows.
    const policy = w.policy({ service: 'refusal', datasets: [{ hdfs: '/d' }], copy: { direct: 'off' } });
    expect((await w.cli('backup', policy)).code).toBe(0);
    let refusals = 0;
    w.rec.handlers.set('distcp', (cmd) => {
      if (!cmd.argv.includes('-diff')) return distcp(w.hadoop, cmd.argv);
      refusals++;
      return {
        exitCode: 1,
        stdout: '',
        stderr: 'WARN tools.DistCp: The target has been modified since snapshot hb-refusal-20261125T020000Z\n',
      };
    });
    w.later();
    w.east.write('/d/f.txt', 'changed');
    const strict = await w.cli('backup', policy, '--no-fallback');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /DistCp refused the incremental copy \(The target has been modified since snapshot \S+\); --no-fallback forbids a full copy/,
    );
    w.later();
    w.east.write('/d/f.txt', 'changed again');
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(refusals).toBe(2);
    expect(r.report!.datasets[0]).toMatchObject({
      mode: 'full',
      fallbackReason: expect.stringMatching(/^DistCp refused the incremental copy/),
    });
    expect(r.stderr).toMatch(/warning: \/d: DistCp refused the incremental copy.*copying in full/);
  });

  it("removes what an interrupted run left, once, and never another tool's or service's snapshots", async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'crashy', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    // A run that died after both snapshots, before its catalog entry; and snapshots not ours.
    for (const [site, name] of [
      [w.east, 'hb-crashy-20261125T021500Z'],
      [w.west, 'hb-crashy-20261125T021500Z'],
      [w.east, 'nightly'],
      [w.east, 'hb-other-20261125T021500Z'],
    ] as const) {
      site.createSnapshot('/d', name);
    }
    w.later();
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/removed 2 snapshot\(s\) left by an interrupted run/g)).toHaveLength(1);
    expect(w.east.snapshots('/d').sort()).toEqual([
      'hb-crashy-20261125T020000Z',
      'hb-crashy-20261125T030000Z',
      'hb-other-20261125T021500Z',
      'nightly',
    ]);
    expect(w.west.snapshots('/d').sort()).toEqual(['hb-crashy-20261125T020000Z', 'hb-crashy-20261125T030000Z']);
  });

  it('runs the hooks around the snapshots; a failing pause takes no snapshot and still resumes', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({
      service: 'hooked',
      datasets: [{ hdfs: '/d' }],
      hooks: { beforeSnapshot: [['/opt/pause']], afterSnapshot: [['/opt/resume']] },
    });
    const order: string[] = [];
    w.rec.handlers.set('/opt/pause', (cmd) => {
      order.push(`pause ${cmd.env?.HBACKUP_SNAPSHOT} snapshots=${w.east.snapshots('/d').length}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    w.rec.handlers.set('/opt/resume', () => {
      order.push(`resume snapshots=${w.east.snapshots('/d').length} copies=${w.west.snapshots('/d').length}`);
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    expect((await w.cli('backup', policy)).code).toBe(0);
    expect(order).toEqual(['pause hb-hooked-20261125T020000Z snapshots=0', 'resume snapshots=1 copies=0']);

    w.rec.handlers.set('/opt/pause', () => ({ exitCode: 4, stdout: '', stderr: 'java noise\ningest did not stop\n' }));
    w.later();
    const failed = await w.cli('backup', policy);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('beforeSnapshot hook ["/opt/pause"] exited with 4: ingest did not stop');
    expect(order.at(-1)).toBe('resume snapshots=1 copies=1');
    expect(w.east.snapshots('/d')).toEqual(['hb-hooked-20261125T020000Z']);
  });

  it('keeps as many restore points as the policy says on each side', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'keep', datasets: [{ hdfs: '/d' }], retention: { primary: 1, secondary: 2 } });
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      w.east.write(`/d/f${i}.txt`, `${i}`);
      const r = await w.cli('--json', 'backup', policy);
      expect(r.code, r.stderr).toBe(0);
      names.push(r.report!.restorePoint);
      w.later();
    }
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.restorePoints.map((p: any) => p.snapshot)).toEqual(names.slice(1));
    expect(w.east.snapshots('/d')).toEqual(names.slice(2));
    expect(w.west.snapshots('/d').sort()).toEqual(names.slice(1));
  });
});

describe('what an interrupted run left', () => {
  it('is recognised by its name and removed by the next backup, planned and reported; a quarantine stays', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'left', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    // A roll-back killed after its first snapshot, a restore killed the same way, a catalog entry half written.
    w.west.createSnapshot('/d', 'hb-left-20261125T021500Z.before-rollback');
    w.east.createSnapshot('/d', 'hb-left-20261125T020000Z.before-restore-20261125T023000Z');
    w.east.createSnapshot('/d', 'hbackup-quarantine-left-20261125T020500Z');
    w.west.write('/.hbackup/catalog/left/_tmp.20261125T021500Z.json', '{"half":');
    w.later();
    const dry = await w.cli('--json', 'backup', policy, '--dry-run');
    expect(dry.report!.plan.cleanup).toEqual({
      snapshots: 2,
      files: 1,
      changes: [
        expect.stringMatching(
          /^DELETE http:\/\/west-nn:9870\/webhdfs\/v1\/d\?op=DELETESNAPSHOT&.*snapshotname=hb-left-20261125T021500Z\.before-rollback$/,
        ),
        expect.stringMatching(
          /^DELETE http:\/\/east-nn:9870\/webhdfs\/v1\/d\?op=DELETESNAPSHOT&.*snapshotname=hb-left-20261125T020000Z\.before-restore-20261125T023000Z$/,
        ),
        expect.stringMatching(
          /^DELETE http:\/\/west-nn:9870\/webhdfs\/v1\/\.hbackup\/catalog\/left\/_tmp\.20261125T021500Z\.json\?op=DELETE/,
        ),
      ],
    });
    const r = await w.cli('backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed 2 snapshot(s) and 1 temporary catalog file(s) left by an interrupted run');
    expect(w.west.snapshots('/d').sort()).toEqual(['hb-left-20261125T020000Z', 'hb-left-20261125T030000Z']);
    expect(w.east.snapshots('/d').sort()).toEqual([
      'hb-left-20261125T020000Z',
      'hb-left-20261125T030000Z',
      'hbackup-quarantine-left-20261125T020500Z',
    ]);
    expect(w.west.lookup('/.hbackup/catalog/left/_tmp.20261125T021500Z.json')).toBeUndefined();
  });
});

describe('left-overs are never silent', () => {
  it('list and status --policies say what belongs to no restore point, and how much it references', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'ffff' });
    const policy = w.policy({ service: 'seen', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect((await w.cli('backup', policy)).code).toBe(0);
    const clean = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(clean.leftovers).toEqual([]);
    // A run that died after its snapshots, before its catalog entry; one left by hand is the same to hbackup.
    w.east.createSnapshot('/d', 'hb-seen-20261125T021500Z');
    w.west.createSnapshot('/d', 'hb-seen-20261125T021500Z.before-rollback');
    const list = await w.cli('--json', 'list', policy);
    expect(JSON.parse(list.stdout).leftovers).toEqual([
      { site: 'east', path: '/d/.snapshot/hb-seen-20261125T021500Z', what: 'snapshot', bytes: 4 },
      { site: 'west', path: '/d/.snapshot/hb-seen-20261125T021500Z.before-rollback', what: 'snapshot', bytes: 4 },
    ]);
    const people = await w.cli('list', policy);
    expect(people.stderr).toContain(
      'seen: 2 snapshot(s) or file(s) hbackup made belong to no restore point (referencing 8 bytes); the next backup removes them',
    );
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    fs.copyFileSync(policy, path.join(dir, 'seen.yaml'));
    const status = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status', '--policies', dir)).stdout);
    expect(status.services[0].leftovers).toEqual({ count: 2, bytes: 8 });
    expect(status.problems.map((p: any) => p.message)).toContain(
      'seen: 2 snapshot(s) or file(s) of no restore point (referencing 8 bytes): the next backup removes them; hbackup list shows them',
    );
    w.later();
    expect((await w.cli('backup', policy)).code).toBe(0);
    expect(JSON.parse((await w.cli('--json', 'list', policy)).stdout).leftovers).toEqual([]);
  });
});

describe('a small diff', () => {
  it('goes through WebHDFS, unless the policy says off or an entry lies in an encryption zone: then DistCp, saying why', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'small', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.later();
    w.east.write('/d/g.txt', 'g');
    const direct = await w.cli('--json', 'backup', policy);
    expect(direct.report!.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'webhdfs', filesCopied: 1, bytesCopied: 1 });
    expect(direct.report!.datasets[0]).not.toHaveProperty('directRefused');
    const catalog = JSON.parse(
      w.west.read(`/.hbackup/catalog/small/${direct.report!.moment.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`)!.toString(),
    );
    expect(catalog.datasets[0]).toMatchObject({ copiedBy: 'webhdfs' });

    w.later();
    w.east.write('/d/secret.txt', 's');
    w.east.lookup('/d/secret.txt')!.encrypted = true;
    const refused = await w.cli('--json', 'backup', policy);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.report!.datasets[0]).toMatchObject({
      copiedBy: 'distcp',
      directRefused: '/d/secret.txt lies in an encryption zone',
    });
    expect(w.west.tree('/d')).toEqual(w.east.tree('/d'));
  });

  it('a directory in an encryption zone goes by DistCp without its checksum check, and its checksums are not compared', async () => {
    const w = world();
    w.source('/z', { 'f.txt': 'f' });
    w.east.lookup('/z')!.encrypted = true;
    const policy = w.policy({ service: 'zone', datasets: [{ hdfs: '/z' }], verify: { checksums: true } });
    const first = await w.cli('--json', 'backup', policy);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      'east:/z lies in an encryption zone and west:/z does not: the secondary would store its copy unencrypted',
    );
    const zone = 'east:/z lies in an encryption zone';
    expect(first.report!.datasets[0]).toMatchObject({
      mode: 'full',
      reason: `first backup of the service; ${zone}: DistCp copies it (-skipcrccheck)`,
      verified: { checksums: false, checksumsSkipped: `not comparable: ${zone}` },
    });
    expect(w.rec.commands.at(-1)!.argv).toContain('-skipcrccheck');
    w.later();
    w.east.write('/z/g.txt', 'g');
    const second = await w.cli('--json', 'backup', policy);
    expect(second.report!.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'distcp', directRefused: zone });
    expect(withoutJob(w.rec.commands.at(-1)!.argv).slice(1, 4)).toEqual(['distcp', '-update', '-diff']);
    expect(w.rec.commands.at(-1)!.argv).toContain('-skipcrccheck');
    expect(w.west.tree('/z')).toEqual(w.east.tree('/z'));
  });

  it('never names two restore points of one second alike: a run in the same second as the newest point waits, then refuses if the clock has not moved', async () => {
    const w = world();
    w.source('/s', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'same', datasets: [{ hdfs: '/s' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    // The world's clock stands still: the second run would name the same snapshots.
    const again = await w.cli('--json', 'backup', policy);
    expect(again.code).toBe(3);
    expect(again.report!.error).toMatch(/^preflight refused: same has a restore point of this second \(\d{8}T\d{6}Z\) already: run again$/);
    expect(JSON.parse((await w.cli('--json', 'list', policy)).stdout).restorePoints).toHaveLength(1);
  });
});
