// Trees walked a page at a time (LISTSTATUS_BATCH) and paired path by path: the order must be the
// NameNode's (names by their UTF-8 bytes), or a merge of two walks would pair the wrong entries.
import { describe, expect, it } from 'vitest';
import { comparePaths, difference, pairTrees } from '../../src/hdfs/compare.js';
import { WebHdfs } from '../../src/hdfs/webhdfs.js';
import { FakeHadoop } from '../fakes/hadoop.js';

function sites() {
  const hadoop = new FakeHadoop(() => new Date('2026-11-25T02:00:00Z'));
  const east = hadoop.add('east');
  const west = hadoop.add('west');
  const client = (base: string) => new WebHdfs({ urls: [base], user: 'hdfs', fetch: hadoop.fetch });
  return { east, west, e: client(east.base), w: client(west.base) };
}

const NAMES = ['b', 'a', 'a-b', 'aa', 'é', '😀', '\uE000', 'Z'];

describe('walking and pairing trees', () => {
  it('orders paths as HDFS does: by the bytes of each name, a directory before what it holds', () => {
    const sorted = [...NAMES, 'a/x', 'a/x/y'].sort(comparePaths);
    expect(sorted).toEqual(['Z', 'a', 'a/x', 'a/x/y', 'a-b', 'aa', 'b', 'é', '\uE000', '😀']);
    // JavaScript's own string order puts the emoji (a surrogate pair) before U+E000: not HDFS's.
    expect(['😀', '\uE000'].sort()).toEqual(['😀', '\uE000']);
  });

  it('walks a tree page by page, depth first, in that order', async () => {
    const { east, e } = sites();
    for (const n of NAMES.filter((x) => x !== 'a')) east.write(`/d/${n}`, n);
    east.write('/d/a/x/y', 'deep');
    const seen: string[] = [];
    for await (const { rel } of e.walk('/d')) seen.push(rel);
    expect(seen).toEqual(['Z', 'a', 'a/x', 'a/x/y', 'a-b', 'aa', 'b', 'é', '\uE000', '😀']);
    // Two names a page: the directories' listings came in several pages, never whole.
    expect(east.pages).toBeGreaterThanOrEqual(6);
  });

  it('pairs every path once, saying which side lacks it or how it differs', async () => {
    const { east, west, e, w } = sites();
    for (const n of ['a', 'b', 'c', 'd', 'e']) east.write(`/s/${n}`, n);
    for (const n of ['b', 'c', 'e', 'f']) west.write(`/t/${n}`, n);
    west.write('/t/c', 'longer');
    east.write('/s/sub/x', 'x');
    west.write('/t/sub/x', 'x');
    const found: string[] = [];
    for await (const p of pairTrees(e, '/s', w, '/t')) {
      const d = difference(p, 'source', 'target');
      found.push(d ?? `${p.rel}: alike`);
    }
    expect(found).toEqual([
      'a: on the source only',
      'b: alike',
      'c: FILE of 1 bytes on the source, FILE of 6 on the target',
      'd: on the source only',
      'e: alike',
      'f: on the target only',
      'sub: alike',
      'sub/x: alike',
    ]);
  });
});
