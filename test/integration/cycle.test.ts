// A backup cycle whose cost follows the change, against the sandbox: a cycle in which nothing
// changed runs no DistCp at all and still ends with a verified restore point; four data sets are
// copied side by side and each ends equal to its source.
import { describe, expect, it } from 'vitest';
import { backup, bytes, east, hbackup, runId, snap, snapshottable, tree, webhdfs, west, writePolicy } from './helpers.js';

const id = runId();

describe('a backup cycle', () => {
  it('runs no DistCp when nothing changed, and still records a verified restore point', async () => {
    const root = `/it/still-${id}`;
    await snapshottable(`${root}/a`, { 'f.txt': bytes(5_000) });
    await snapshottable(`${root}/b`, { 'g.txt': bytes(3_000, 3) });
    const policy = writePolicy({ service: `still-${id}`, datasets: [{ hdfs: `${root}/a` }, { hdfs: `${root}/b` }] });
    expect((await backup(policy)).r.exitCode).toBe(0);

    const r = await hbackup(['backup', policy, '--json', '--verbose']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // The command log: every command hbackup ran is logged as "run: …" under --verbose.
    const commands = String(r.stderr)
      .split('\n')
      .filter((l) => / run: /.test(l));
    expect(commands.filter((l) => l.includes(' distcp '))).toEqual([]);
    const report = JSON.parse(String(r.stdout).trim().split('\n')[0]!);
    expect(report.datasets.map((d: any) => [d.mode, d.bytesCopied, d.verified.files])).toEqual([
      ['unchanged', 0, 1],
      ['unchanged', 0, 1],
    ]);
    for (const d of ['a', 'b']) {
      expect(await tree(west, snap(`${root}/${d}`, report.restorePoint))).toEqual(
        await tree(east, snap(`${root}/${d}`, report.restorePoint)),
      );
    }
  });

  it('copies four data sets side by side, each reported and equal to its source', async () => {
    const root = `/it/side-${id}`;
    const names = ['p', 'q', 'r', 's'];
    for (const [i, n] of names.entries()) await snapshottable(`${root}/${n}`, { [`${n}.bin`]: bytes(400_000 + i, i + 2) });
    const policy = writePolicy({
      service: `side-${id}`,
      datasets: names.map((n) => ({ hdfs: `${root}/${n}` })),
      copy: { mappers: 1, parallel: 4 },
    });
    const first = await backup(policy);
    expect(first.r.exitCode, first.stderr).toBe(0);
    expect(first.report!.datasets.map((d: any) => [d.source, d.mode, d.bytesCopied])).toEqual(
      names.map((n, i) => [`${root}/${n}`, 'full', 400_000 + i]),
    );
    // The four copies overlapped: each began before the first of them ended.
    const begun = first.stderr.split('\n').filter((l) => / … \/it\/side-.* → west:/.test(l));
    const firstEnd = first.stderr.split('\n').findIndex((l) => / ok \/it\/side-.*: full, /.test(l));
    expect(begun).toHaveLength(4);
    expect(first.stderr.split('\n').indexOf(begun[3]!)).toBeLessThan(firstEnd);
    for (const n of names) {
      expect(await tree(west, snap(`${root}/${n}`, first.report!.restorePoint))).toEqual(
        await tree(east, snap(`${root}/${n}`, first.report!.restorePoint)),
      );
    }
    expect(await webhdfs(west).listSnapshots(`${root}/p`)).toEqual([first.report!.restorePoint]);
  });
});
