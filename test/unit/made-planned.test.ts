// Every flow's dry run is what its real run sends, against the in-memory clusters: each WebHDFS call
// that changes something and each command, observed as sent (--verbose), equals the plan the dry run
// printed, in order. A step whose changes are planned only when it runs says so in the plan; the real
// run lists what it made there, and that is what was sent.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type World, world } from '../fakes/world.js';

interface Shown {
  step: string;
  site: string;
  change: string;
}

/** What a run sent that changes something: every non-GET WebHDFS call to a NameNode, every command. */
const sent = (stderr: string) =>
  stderr
    .split('\n')
    .map((l) => l.replace(/^\S+ /, ''))
    .filter((l) => /^(PUT|POST|DELETE) /.test(l) || l.startsWith('run: '))
    .map((l) => l.replace(/^run: /, ''));

/** The plan with each step that plans when it runs replaced by what the real run made in it (the plan names the rest of the step). */
const expected = (planned: Shown[], made: Shown[]) =>
  planned.flatMap((p) => {
    if (!p.change.startsWith('(planned when it runs')) return [p.change];
    const known = new Set(planned.filter((q) => q.step === p.step).map((q) => q.change));
    return made.filter((m) => m.step === p.step && !known.has(m.change)).map((m) => m.change);
  });

async function service(w: World) {
  w.source('/raw', { 'a.txt': 'one', 'sub/b.txt': 'two' });
  w.source('/wh', { 'x.txt': 'x' });
  const policy = w.policy({ service: 'svc', datasets: [{ hdfs: '/raw', target: '/copy/raw' }, { hdfs: '/wh' }], copy: { parallel: 1 } });
  const policies = path.join(w.dir, 'policies');
  fs.mkdirSync(policies);
  fs.copyFileSync(policy, path.join(policies, 'svc.yaml'));
  const pair = (...args: string[]) => w.cli('--clusters', w.clustersFile, ...args, '--policies', policies);
  return { policy, policies, pair };
}

describe('made equals planned', () => {
  it('init', async () => {
    const w = world();
    const dry = await w.cli('--json', '--clusters', w.clustersFile, 'init', '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned', dryRun: true });
    expect(w.east.changes).toEqual([]);
    const real = await w.cli('--json', '--verbose', '--clusters', w.clustersFile, 'init');
    expect(real.report, real.stderr).toMatchObject({
      result: 'ok',
      sites: [
        { site: 'east', epoch: 1 },
        { site: 'west', epoch: 1 },
      ],
    });
    expect(dry.report!.planned).toHaveLength(6);
    expect(sent(real.stderr)).toEqual(expected(dry.report!.planned, real.report!.made));
  });

  it('restore, in place (a roll-back by snapshot diff) and beside the live data', async () => {
    const w = world();
    const { policy } = await service(w);
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.west.write('/copy/raw/stray.txt', 'changed on the secondary');
    w.later();
    for (const args of [[], ['--suffix', '_back']]) {
      const dry = await w.cli('--json', 'restore', policy, '--yes', '--dry-run', ...args);
      expect(dry.report, dry.stderr).toMatchObject({ result: 'planned' });
      const real = await w.cli('--json', '--verbose', 'restore', policy, '--yes', ...args);
      expect(real.report, real.stderr).toMatchObject({ result: 'ok' });
      expect(sent(real.stderr)).toEqual(dry.report!.planned.map((p: Shown) => p.change));
      expect(sent(real.stderr).length).toBeGreaterThan(0);
    }
    expect(w.west.tree('/copy/raw')).toEqual(w.west.tree('/copy/raw_back'));
  });

  it('drill, and a drill after one killed (what it left removed first, the restore planned when it runs)', async () => {
    const w = world();
    const { policy } = await service(w);
    expect((await w.cli('backup', policy)).code).toBe(0);
    const live = { raw: w.west.tree('/copy/raw'), wh: w.west.tree('/wh') };
    const args = ['drill', policy, '--check', 'test -n "$HBACKUP_DRILL_DIRS"'];
    const dry = await w.cli('--json', ...args, '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned' });
    expect(w.west.lookup('/copy/raw.hbackup-drill')).toBeUndefined();
    const real = await w.cli('--json', '--verbose', ...args);
    expect(real.report, real.stderr).toMatchObject({ result: 'ok' });
    expect(sent(real.stderr)).toEqual(expected(dry.report!.planned, real.report!.made));
    expect(sent(real.stderr).filter((c) => c.includes('hbackup-drill')).length).toBeGreaterThan(2);

    // Left by a drill killed before its clean-up: removed first, then the restore is planned.
    w.west.mkdirs('/copy/raw.hbackup-drill/half');
    w.later();
    const dry2 = await w.cli('--json', ...args, '--dry-run');
    expect(dry2.report!.planned.map((p: Shown) => p.change)).toContain(
      '(planned when it runs: once what an earlier drill left is removed)',
    );
    const real2 = await w.cli('--json', '--verbose', ...args);
    expect(real2.report, real2.stderr).toMatchObject({ result: 'ok' });
    expect(sent(real2.stderr)).toEqual(expected(dry2.report!.planned, real2.report!.made));
    expect({ raw: w.west.tree('/copy/raw'), wh: w.west.tree('/wh') }).toEqual(live);
    expect(w.west.lookup('/copy/raw.hbackup-drill')).toBeUndefined();
  });

  it('sync-users', async () => {
    const w = world();
    w.east.mkdirs('/user/alice');
    w.east.write('/user/alice/notes.txt', 'n');
    Object.assign(w.east.lookup('/user/alice')!, {
      owner: 'alice',
      group: 'staff',
      permission: '750',
      acl: ['user:bob:r-x'],
      quota: { names: 1000, space: -1 },
    });
    const dry = await w.cli('--json', '--clusters', w.clustersFile, 'sync-users', '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned' });
    const real = await w.cli('--json', '--verbose', '--clusters', w.clustersFile, 'sync-users');
    expect(real.report, real.stderr).toMatchObject({ result: 'ok' });
    expect(sent(real.stderr)).toEqual(dry.report!.changes.map((c: { change: string }) => c.change));
    expect(real.report!.changes.map((c: { change: string }) => c.change.replace(/^\w+ \S+\/v1(\S+)\?op=(\w+).*$/, '$2 $1'))).toEqual([
      'MKDIRS /user',
      'SETOWNER /user',
      'SETPERMISSION /user',
      'MKDIRS /user/alice',
      'SETOWNER /user/alice',
      'SETPERMISSION /user/alice',
      'SETACL /user/alice',
      'SETQUOTA /user/alice',
    ]);
    const again = await w.cli('--json', '--clusters', w.clustersFile, 'sync-users');
    expect(again.report!.changes).toEqual([]);
  });

  it('failover, planned: the last backups, the identities, the catalog and the claim', async () => {
    const w = world();
    const { policy, pair } = await service(w);
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.later();
    w.east.write('/raw/late.txt', 'just before');
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned', mode: 'planned' });
    const real = await pair('--json', '--verbose', 'failover', '--yes');
    expect(real.report, real.stderr).toMatchObject({ result: 'ok', mode: 'planned' });
    expect(sent(real.stderr)).toEqual(expected(dry.report!.planned, real.report!.made));
    // The catalog carry was planned only once the identities were written; the run listed it.
    expect(real.report!.made.filter((m: Shown) => m.step === 'svc: catalog → east').length).toBeGreaterThan(0);
  });

  it('failover, emergency: the roll-back to the last complete restore point', async () => {
    const w = world();
    const { policy, pair } = await service(w);
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.west.write('/copy/raw/half.txt', 'half a copy');
    w.east.down = true;
    w.later();
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned', mode: 'emergency' });
    const real = await pair('--json', '--verbose', 'failover', '--yes');
    expect(real.report, real.stderr).toMatchObject({ result: 'ok', mode: 'emergency' });
    expect(sent(real.stderr)).toEqual(expected(dry.report!.planned, real.report!.made));
  });

  it('failback: quarantine, catalog, roll-back, the shared snapshot again, the identity, the copy forward', async () => {
    const w = world();
    const { policy, pair } = await service(w);
    expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.east.down = true;
    expect((await pair('failover', '--yes')).code).toBe(0);
    w.east.down = false;
    w.east.write('/raw/missed.txt', 'an application missed the switch');
    w.west.write('/copy/raw/new.txt', 'on the new primary');
    w.later();
    const dry = await pair('--json', 'failback', '--dry-run');
    expect(dry.report, dry.stderr).toMatchObject({ result: 'planned' });
    const real = await pair('--json', '--verbose', 'failback', '--yes');
    expect(real.report, real.stderr).toMatchObject({ result: 'ok' });
    // The copy forward is a backup, planned when it runs (its own dry run equals its run: plan.test.ts):
    // what was sent is the plan, with that backup's calls where the plan says it runs.
    const planned: Shown[] = dry.report!.planned;
    const at = planned.findIndex((p) => p.step === 'svc: copy forward west → east' && p.change.startsWith('(planned when it runs'));
    const [before, after] = [planned.slice(0, at).map((p) => p.change), planned.slice(at + 1).map((p) => p.change)];
    const made = sent(real.stderr);
    expect(made.slice(0, before.length)).toEqual(before);
    expect(made.slice(made.length - after.length)).toEqual(after);
    const backup = made.slice(before.length, made.length - after.length);
    expect(backup).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^PUT http:\/\/west-nn:9870\/webhdfs\/v1\/copy\/raw\?op=CREATESNAPSHOT&.*snapshotname=hb-svc-20261125T030000Z$/,
        ),
        // The diff (one new file) applied to east's /raw through WebHDFS, with no DistCp job.
        expect.stringMatching(/^PUT http:\/\/east-nn:9870\/webhdfs\/v1\/raw\/new\.txt\?op=CREATE&.*&blocksize=\d+/),
        expect.stringMatching(/^PUT http:\/\/east-nn:9870\/webhdfs\/v1\/\.hbackup\/catalog\/svc\/_tmp\.20261125T030000Z\.json\?op=RENAME/),
      ]),
    );
    expect(w.east.tree('/raw')).toEqual(w.west.tree('/copy/raw'));
  });
});
