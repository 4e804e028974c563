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
    const before = [w.east.changes.length, w.west.changes.length, w.rec.commands.length];
    const r = await w.cli('--json', 'restore', policy, '--on', 'primary', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect([w.east.changes.length, w.west.changes.length, w.rec.commands.length]).toEqual(before);
    expect(r.report).toMatchObject({ result: 'planned', dryRun: true, restorePoint: 'hb-svc-20261125T030000Z' });
    expect(r.report!.planned.map((p: any) => p.change.replace(/^\S+\/hadoop /, 'hadoop '))).toEqual([
      'hadoop distcp -update -delete -pbcugpaxt -m 8 hdfs://east/a/.snapshot/hb-svc-20261125T030000Z hdfs://east/a',
      'hadoop distcp -update -delete -pbcugpaxt -m 8 hdfs://east/b/.snapshot/hb-svc-20261125T030000Z hdfs://east/b',
    ]);
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
