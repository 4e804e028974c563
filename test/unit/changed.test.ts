// Checksums follow the change: after an incremental copy only what the diff touched is checksummed,
// and the digest kept for drills is the one a walk of everything gives — whatever the diff held:
// creates, an overwrite, deletes, a renamed directory, two files that swap names, an empty file.
import { describe, expect, it } from 'vitest';
import { touchedPaths } from '../../src/datasets/hdfs/changed.js';
import { world } from '../fakes/world.js';

/** The newest catalog entry's one data set, as the secondary keeps it. */
function newest(w: ReturnType<typeof world>) {
  const dir = '/.hbackup/catalog/ck';
  const names = Object.keys(w.west.tree(dir))
    .filter((n) => /^\d{8}T\d{6}Z\.json$/.test(n))
    .sort();
  return JSON.parse(String(w.west.read(`${dir}/${names.at(-1)}`))).datasets[0];
}

describe('checksums that follow the change', () => {
  it('checksums only what the diff touched, and keeps the digest a full walk gives', async () => {
    const w = world();
    w.source('/ck', {
      'keep.txt': 'same',
      'a.txt': 'A',
      'b.txt': 'B',
      'old/x.txt': 'x',
      'old/deep/y.txt': 'y',
      'gone.txt': 'bye',
      'over.txt': 'v1',
    });
    const policy = w.policy({ service: 'ck', datasets: [{ hdfs: '/ck' }], verify: { checksums: true } });
    expect((await w.cli('backup', policy)).code).toBe(0);
    expect(newest(w)).toMatchObject({ mode: 'full', verification: { scope: 'all', filesChecksummed: 7 } });

    w.later();
    w.east.write('/ck/new.txt', 'new');
    w.east.write('/ck/empty', '');
    w.east.write('/ck/over.txt', 'v2!');
    w.east.remove('/ck/gone.txt');
    w.east.rename('/ck/old', '/ck/renamed');
    w.east.rename('/ck/a.txt', '/ck/tmp.txt');
    w.east.rename('/ck/b.txt', '/ck/a.txt');
    w.east.rename('/ck/tmp.txt', '/ck/b.txt');
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code, r.stderr).toBe(0);
    const incremental = newest(w);
    expect(incremental).toMatchObject({ mode: 'incremental', verification: { scope: 'changed' } });
    // new.txt, over.txt, a.txt, b.txt and the renamed directory's two files; never keep.txt.
    expect(incremental.verification.filesChecksummed).toBe(6);

    // A full walk over the same data gives the same digest.
    w.later();
    expect((await w.cli('backup', policy, '--checksums', 'all')).code).toBe(0);
    const full = newest(w);
    expect(full).toMatchObject({ mode: 'unchanged', verification: { scope: 'all', filesChecksummed: 7 } });
    expect(full.verification.digest).toEqual(incremental.verification.digest);
  });

  it('without checksums: compares only the touched entries by type and size, and carries the digest of paths and sizes', async () => {
    const w = world();
    w.source('/ck', { 'keep.txt': 'same', 'old/x.txt': 'x', 'gone.txt': 'bye', 'over.txt': 'v1' });
    const policy = w.policy({ service: 'ck', datasets: [{ hdfs: '/ck' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    expect(newest(w)).toMatchObject({ mode: 'full', verification: { scope: 'all', digest: { entries: 5, checksums: false } } });
    w.later();
    w.east.write('/ck/new.txt', 'new');
    w.east.write('/ck/over.txt', 'v2!');
    w.east.remove('/ck/gone.txt');
    w.east.rename('/ck/old', '/ck/renamed');
    expect((await w.cli('backup', policy)).code).toBe(0);
    const incremental = newest(w);
    expect(incremental).toMatchObject({ mode: 'incremental', verification: { scope: 'changed', filesChecksummed: 0 } });
    w.later();
    expect((await w.cli('backup', policy, '--full')).code).toBe(0);
    const full = newest(w);
    expect(full).toMatchObject({ mode: 'full', verification: { scope: 'all' } });
    expect(full.verification.digest).toEqual(incremental.verification.digest);
  });

  it('reads a diff as the paths it touched before and after, and how deep', () => {
    const t = touchedPaths([
      { type: 'MODIFY', sourcePath: '' },
      { type: 'MODIFY', sourcePath: 'dir' },
      { type: 'CREATE', sourcePath: 'dir/new' },
      { type: 'RENAME', sourcePath: 'old', targetPath: 'renamed' },
      { type: 'DELETE', sourcePath: 'gone' },
    ]);
    expect([...t.before]).toEqual([
      ['dir', false],
      ['old', true],
      ['gone', true],
    ]);
    expect([...t.after]).toEqual([
      ['dir', false],
      ['dir/new', true],
      ['renamed', true],
    ]);
  });
});
