// The order of a direct copy's renames and deletes (DistCp's diff sync), and how the diff's old
// names inside renamed directories are carried over to the new ones.
import { describe, expect, it } from 'vitest';
import { DIRECT_TMP, moveRequests, renamedPath } from '../../src/datasets/hdfs/direct.js';
import type { DiffEntry } from '../../src/hdfs/requests.js';

const calls = (diff: DiffEntry[], made: (rel: string) => boolean = () => false) =>
  moveRequests(diff, '/t', made).map((r) =>
    r.op === 'RENAME' ? `mv ${r.path} ${String(r.params?.destination)}` : `${r.op.toLowerCase()} ${r.path}`,
  );

describe('a direct copy’s moves', () => {
  it('swaps two files through the temporary directory', () => {
    expect(
      calls([
        { type: 'RENAME', sourcePath: 'x', targetPath: 'y' },
        { type: 'RENAME', sourcePath: 'y', targetPath: 'x' },
      ]),
    ).toEqual([
      `mkdirs /t/${DIRECT_TMP}`,
      `mv /t/x /t/${DIRECT_TMP}/0`,
      `mv /t/y /t/${DIRECT_TMP}/1`,
      `mv /t/${DIRECT_TMP}/0 /t/y`,
      `mv /t/${DIRECT_TMP}/1 /t/x`,
      `delete /t/${DIRECT_TMP}`,
    ]);
  });

  it('moves the deepest first out and the shallowest first in; deletes go with the temporary directory', () => {
    // HDFS names what moved inside a renamed directory by its old path (b/in), and where it went by the new one.
    const diff: DiffEntry[] = [
      { type: 'RENAME', sourcePath: 'b', targetPath: 'q' },
      { type: 'DELETE', sourcePath: 'c3' },
      { type: 'RENAME', sourcePath: 'b/in', targetPath: 'q/in2' },
      { type: 'RENAME', sourcePath: 'nd/m', targetPath: 'newd/deep/m' },
    ];
    expect(calls(diff, (rel) => rel === 'newd' || rel.startsWith('newd/'))).toEqual([
      `mkdirs /t/${DIRECT_TMP}`,
      `mv /t/b/in /t/${DIRECT_TMP}/2`,
      `mv /t/nd/m /t/${DIRECT_TMP}/3`,
      `mv /t/b /t/${DIRECT_TMP}/0`,
      `mv /t/c3 /t/${DIRECT_TMP}/1`,
      `mv /t/${DIRECT_TMP}/0 /t/q`,
      `mv /t/${DIRECT_TMP}/2 /t/q/in2`,
      // Its parent lies in a created directory: made before the move.
      'mkdirs /t/newd/deep',
      `mv /t/${DIRECT_TMP}/3 /t/newd/deep/m`,
      `delete /t/${DIRECT_TMP}`,
    ]);
  });

  it('makes no calls for a diff without renames or deletes', () => {
    expect(calls([{ type: 'CREATE', sourcePath: 'n' }])).toEqual([]);
  });

  it('carries a path of the old names over to the new ones, the deepest renamed directory deciding', () => {
    const renames: DiffEntry[] = [
      { type: 'RENAME', sourcePath: 'b', targetPath: 'q' },
      { type: 'RENAME', sourcePath: 'b/in', targetPath: 'q/in2' },
    ];
    expect(renamedPath('b/in/n2', renames)).toBe('q/in2/n2');
    expect(renamedPath('b/other', renames)).toBe('q/other');
    expect(renamedPath('b', renames)).toBe('q');
    expect(renamedPath('bb/x', renames)).toBe('bb/x');
    expect(renamedPath('a/new', renames)).toBe('a/new');
  });
});
