// restore in-process against in-memory clusters (directories): the point asked for, the data sets
// asked for, a dry run that changes nothing, bad input and an unconfirmed in-place restore refused.
import { describe, expect, it } from 'vitest';
import { world } from '../fakes/world.js';

async function twoPoints() {
  const w = world();
  w.source('/a', { 'x.txt': 'one' });
  w.source('/b', { 'y.txt': 'two' });
  const policy = w.policy({ service: 'svc', datasets: [{ hdfs: '/a' }, { hdfs: '/b', target: '/copy/b' }] });
  expect((await w.cli('backup', policy)).code).toBe(0);
  w.later();
  w.east.write('/a/x.txt', 'one, changed');
  expect((await w.cli('backup', policy)).code).toBe(0);
  return { w, policy };
}

describe('restore', () => {
  it('brings the point asked for back beside the live data on the secondary, only the data sets asked for', async () => {
    const { w, policy } = await twoPoints();
    const r = await w.cli('--json', 'restore', policy, '--point', '20261125T020000Z', '--suffix', '_r1', '--datasets', '/a');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ result: 'ok', restorePoint: 'hb-svc-20261125T020000Z', site: 'west' });
    expect(r.report!.datasets).toEqual([
      expect.objectContaining({
        from: 'west:/a/.snapshot/hb-svc-20261125T020000Z',
        to: 'west:/a_r1',
        inPlace: false,
        verified: { files: 1, bytes: 3 },
      }),
    ]);
    expect(w.west.tree('/a_r1')).toEqual({ 'x.txt': 'one' });
    expect(w.west.lookup('/copy/b_r1')).toBeUndefined();
  });

  it('prints the plan under --dry-run and changes nothing', async () => {
    const { w, policy } = await twoPoints();
    w.east.write('/a/late.txt', 'written after the restore point');
    w.east.write('/b/late.txt', 'written after the restore point');
    const before = [w.east.changes.length, w.west.changes.length, w.rec.commands.length];
    const r = await w.cli('--json', 'restore', policy, '--on', 'primary', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect([w.east.changes.length, w.west.changes.length, w.rec.commands.length]).toEqual(before);
    expect(r.report).toMatchObject({ result: 'planned', dryRun: true, restorePoint: 'hb-svc-20261125T030000Z' });
    // In place on the primary, which still holds the snapshots: rolled back by snapshot diff.
    const saved = 'hb-svc-20261125T030000Z.before-restore-20261125T030000Z';
    expect(
      r.report!.planned.map((p: any) =>
        p.change
          .replace(/^\S+\/hadoop /, 'hadoop ')
          .replace('http://east-nn:9870/webhdfs/v1', '')
          .replace(/-Dmapreduce\.job\.tags=hbackup,hbackup-service-svc,hbackup-run-svc-20261125t030000z,hbackup-target-[0-9a-f]{24} /, ''),
      ),
    ).toEqual([
      `PUT /a?op=CREATESNAPSHOT&user.name=hdfs&snapshotname=${saved}`,
      `hadoop distcp '-Dmapreduce.job.name=hbackup restore svc 20261125T030000Z east:/a' -update -rdiff ${saved} hb-svc-20261125T030000Z -pbcugpaxt -m 8 hdfs://east/a hdfs://east/a`,
      `DELETE /a?op=DELETESNAPSHOT&user.name=hdfs&snapshotname=${saved}`,
      `PUT /b?op=CREATESNAPSHOT&user.name=hdfs&snapshotname=${saved}`,
      `hadoop distcp '-Dmapreduce.job.name=hbackup restore svc 20261125T030000Z east:/b' -update -rdiff ${saved} hb-svc-20261125T030000Z -pbcugpaxt -m 8 hdfs://east/b hdfs://east/b`,
      `DELETE /b?op=DELETESNAPSHOT&user.name=hdfs&snapshotname=${saved}`,
    ]);
    expect(r.report!.datasets[0].method).toBe('roll back by snapshot diff (distcp -rdiff)');
  });

  it('restores in place on the primary only when confirmed', async () => {
    const { w, policy } = await twoPoints();
    w.east.write('/a/x.txt', 'broken by mistake');
    const refused = await w.cli('restore', policy, '--on', 'primary', '--point', '20261125T020000Z');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('restoring in place replaces live data (east:/a, east:/b): pass --yes');
    expect(w.east.read('/a/x.txt')?.toString()).toBe('broken by mistake');

    const declined = await w.cli('restore', policy, '--on', 'primary', '--point', '20261125T020000Z', { confirm: async () => false });
    expect(declined.code).toBe(3);
    expect(w.east.read('/a/x.txt')?.toString()).toBe('broken by mistake');

    const questions: string[] = [];
    const asked = await w.cli('restore', policy, '--on', 'primary', '--point', '20261125T020000Z', {
      confirm: async (q) => {
        questions.push(q);
        return true;
      },
    });
    expect(asked.code, asked.stderr).toBe(0);
    expect(questions).toEqual(['Replace the live data of east:/a, east:/b with restore point hb-svc-20261125T020000Z?']);
    expect(w.east.read('/a/x.txt')?.toString()).toBe('one');
    // Only /a changed since the restore point: /b is left alone.
    expect(w.rec.commands.filter((c) => c.argv.includes('-rdiff'))).toHaveLength(1);
    expect(asked.stdout).toMatch(/→ east:\/b +in place +unchanged since the restore point/);
    // The snapshot of the state before the roll-back is gone again; the restore points' are kept.
    expect(w.east.snapshots('/a').sort()).toEqual(['hb-svc-20261125T020000Z', 'hb-svc-20261125T030000Z']);
  });

  it('copies from the snapshot when DistCp refuses to roll back by snapshot diff', async () => {
    const { w, policy } = await twoPoints();
    w.east.write('/a/x.txt', 'broken by mistake');
    const before = w.rec.commands.length;
    w.rec.handlers.set('distcp', (cmd) => {
      if (cmd.argv.includes('-rdiff')) return { exitCode: 1, stdout: '', stderr: 'ERROR tools.DistCp: something it did not like\n' };
      w.east.write('/a/x.txt', w.east.read('/a/.snapshot/hb-svc-20261125T020000Z/x.txt')!);
      return { exitCode: 0, stdout: '', stderr: '' };
    });
    const r = await w.cli('restore', policy, '--on', 'primary', '--point', '20261125T020000Z', '--datasets', '/a', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'warning: east:/a: DistCp refused to roll back by snapshot diff: ERROR tools.DistCp: something it did not like; copying from the snapshot instead',
    );
    expect(w.east.read('/a/x.txt')?.toString()).toBe('one');
    const copies = w.rec.commands.slice(before).filter((c) => c.argv.includes('-delete'));
    expect(copies.map((c) => c.argv.at(-2))).toEqual(['hdfs://east/a/.snapshot/hb-svc-20261125T020000Z']);
  });

  it('says which restore points exist when the one asked for does not (exit 2), and refuses a taken suffix (exit 3)', async () => {
    const { w, policy } = await twoPoints();
    const r = await w.cli('restore', policy, '--point', '20200101T000000Z');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--point 20200101T000000Z: no such restore point of svc; the newest are 20261125T020000Z, 20261125T030000Z (or say latest)',
    );
    const unknown = await w.cli('restore', policy, '--datasets', '/nope', '--suffix', '_x');
    expect(unknown.code).toBe(2);
    expect((await w.cli('restore', policy, '--suffix', '_r1')).code).toBe(0);
    const again = await w.cli('restore', policy, '--suffix', '_r1');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('/a_r1 exists on west: choose another --suffix');
  });
});
