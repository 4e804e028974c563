// How a copy is judged: counts and bytes always, each file's checksum when asked.
import { describe, expect, it } from 'vitest';
import { TreeDigest } from '../../src/datasets/hdfs/digest.js';
import { verifyCopy } from '../../src/datasets/hdfs/verify.js';
import type { WebHdfs } from '../../src/hdfs/webhdfs.js';

type Files = Record<string, { length: number; sum: string; algorithm?: string }>;

/** A snapshot tree as WebHDFS would describe it (flat files only, enough for the logic here). */
function side(files: Files): WebHdfs {
  const entries = Object.entries(files);
  return {
    contentSummary: async () => ({
      fileCount: entries.length,
      directoryCount: 1,
      length: entries.reduce((n, [, f]) => n + f.length, 0),
    }),
    walk: async function* () {
      const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
      for (const [rel, f] of sorted) yield { rel, status: { pathSuffix: rel, type: 'FILE', length: f.length } };
    },
    fileChecksum: async (p: string) => {
      const f = files[p.split('/').pop()!]!;
      return { algorithm: f.algorithm ?? 'MD5-of-0MD5-of-512CRC32C', bytes: f.sum, length: 28 };
    },
  } as unknown as WebHdfs;
}

const run = (a: Files, b: Files, checksums = true) => verifyCopy(side(a), '/d', side(b), '/t', 'hb-x-20261125T020000Z', checksums);

describe('verifyCopy', () => {
  it('passes equal trees, having checksummed every file', async () => {
    const files = { 'a.txt': { length: 3, sum: 'aa' }, 'b.txt': { length: 5, sum: 'bb' } };
    expect(await run(files, files)).toMatchObject({ ok: true, files: 2, bytes: 8, filesChecksummed: 2, problems: [] });
  });

  it('fails on different counts or bytes, without checksums', async () => {
    const r = await run({ 'a.txt': { length: 3, sum: 'aa' } }, { 'a.txt': { length: 4, sum: 'aa' } }, false);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['length: source 3, target 4']);
  });

  it('fails on a file whose checksum differs, and says which', async () => {
    const r = await run(
      { 'a.txt': { length: 3, sum: 'aa' }, 'b.txt': { length: 3, sum: 'bb' } },
      { 'a.txt': { length: 3, sum: 'aa' }, 'b.txt': { length: 3, sum: 'XX' } },
    );
    expect(r.problems).toEqual(['b.txt: checksum differs']);
  });

  it('refuses to compare checksums computed differently', async () => {
    const r = await run({ 'a.txt': { length: 3, sum: 'aa' } }, { 'a.txt': { length: 3, sum: 'aa', algorithm: 'COMPOSITE-CRC32C' } });
    expect(r.problems).toEqual(['a.txt: checksums not comparable (MD5-of-0MD5-of-512CRC32C vs COMPOSITE-CRC32C)']);
  });

  it('has nothing to checksum in an empty file (HDFS describes its checksum with zeros)', async () => {
    const r = await run({ 'e.log': { length: 0, sum: '00' } }, { 'e.log': { length: 0, sum: '00', algorithm: 'MD5-of-0MD5-of-0CRC32' } });
    expect(r).toMatchObject({ ok: true, filesChecksummed: 0 });
  });

  it('finds a file present on one side only even when the totals agree', async () => {
    const r = await run({ 'a.txt': { length: 3, sum: 'aa' } }, { 'z.txt': { length: 3, sum: 'aa' } });
    expect(r.problems).toEqual(['a.txt: on the source only', 'z.txt: on the target only']);
  });

  it('sums up what the copy holds, with checksums or without, whatever order checksums arrive in', async () => {
    const files = { 'a.txt': { length: 3, sum: 'aa' }, 'b.txt': { length: 5, sum: 'bb' } };
    const withSums = (await run(files, files)).digest!;
    const sizesOnly = (await run(files, files, false)).digest!;
    expect(withSums).toMatchObject({ entries: 2, checksums: true });
    expect(sizesOnly).toMatchObject({ entries: 2, checksums: false });
    expect(withSums.value).not.toBe(sizesOnly.value);
    const other = (await run({ ...files, 'b.txt': { length: 5, sum: 'b2' } }, { ...files, 'b.txt': { length: 5, sum: 'b2' } })).digest!;
    expect(other.value).not.toBe(withSums.value);
    expect((await run(files, files)).digest!.value).toBe(withSums.value);
  });
});

describe('TreeDigest', () => {
  it('does not depend on the order entries come in, and tells one changed entry', () => {
    const entries = [
      { rel: 'a', type: 'DIRECTORY', length: 0 },
      { rel: 'a/x', type: 'FILE', length: 4, checksum: 'MD5:01' },
      { rel: 'a/y z', type: 'FILE', length: 0 },
    ];
    const one = new TreeDigest();
    const two = new TreeDigest();
    for (const e of entries) one.add(e);
    for (const e of [...entries].reverse()) two.add(e);
    expect(one.value).toBe(two.value);
    expect(one.value).toMatch(/^[0-9a-f]{64}$/);
    expect([one.entries, one.files]).toEqual([3, 2]);
    const three = new TreeDigest();
    for (const e of entries) three.add(e.rel === 'a/x' ? { ...e, checksum: 'MD5:02' } : e);
    expect(three.value).not.toBe(one.value);
  });
});
