// Restore drills on the sandbox: a service of a directory and a table is drilled — restored beside
// the live data on west, every file checksummed, every row scanned, checks run — and nothing live
// changes. A block rewritten by hand on west's DataNode (same size), a store file gone from a
// table's snapshot, and a check that exits 1 each fail it, naming what. A drill killed with kill -9
// leaves scratch copies; the next one removes them and passes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops } from '../../src/hdfs/requests.js';
// @ts-expect-error the sandbox layout is plain JavaScript
import { sandboxDir } from '../cluster/layout.js';
import {
  backup,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  runId,
  snapshottable,
  tmpDir,
  tool,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';
import { killAt } from './plans.js';

const id = runId();
const root = `/it/drill-${id}`;
const dir = `${root}/d`;
const table = `dr_${id}:t`;
const service = `drill-${id}`;
let policy = '';

interface DrillJson {
  result: string;
  restoreMs: number | null;
  restorePoint: string;
  recorded?: string;
  error?: string;
  datasets: { source: string; scratch: string; files: number; checked: string[]; problems: string[] }[];
  checks: { command: string; exitCode: number | null }[];
}

async function drill(p: string, ...flags: string[]) {
  const r = await hbackup(['--json', 'drill', p, ...flags]);
  return { r, report: JSON.parse(String(r.stdout).trim().split('\n').pop()!) as DrillJson };
}

/** Everything live on both sites: the directories (checksums included), their snapshots, and the tables hbackup could touch. */
async function live() {
  return {
    east: await tree(east, dir),
    west: await tree(west, dir),
    eastSnapshots: await webhdfs(east).listSnapshots(dir),
    westSnapshots: await webhdfs(west).listSnapshots(dir),
    // The table lives on west only as its snapshots: no table, not even its namespace.
    westNamespace: await webhdfs(west).getFileStatus(`/hbase/data/dr_${id}`),
  };
}

/** Nothing of a drill is left on west: no scratch directory, no scratch table. */
async function noScratch() {
  expect(await webhdfs(west).getFileStatus(`${dir}.hbackup-drill`)).toBeUndefined();
  expect((await live()).westNamespace).toBeUndefined();
}

beforeAll(async () => {
  await ensureSandboxUp();
  await snapshottable(dir, { 'a.txt': 'alpha', 'sub/b c.txt': 'bravo charlie', 'sub/empty': '', 'big.bin': Buffer.alloc(300_000, 7) });
  const rows = Array.from({ length: 50 }, (_, i) => `put '${table}', 'r${String(i).padStart(2, '0')}', 'f:c', 'v${i}'`).join('\n');
  await hbaseShell(east, `create_namespace 'dr_${id}'\ncreate '${table}', 'f'\n${rows}\n`);
  // The directory's first (full) copy alone; the table joins the service at its second backup (one export in all).
  const first = writePolicy({ service, datasets: [{ hdfs: dir }], verify: { checksums: true } });
  const b = await backup(first);
  expect(b.r.exitCode, b.stderr).toBe(0);
  policy = writePolicy({ service, datasets: [{ hdfs: dir }, { hbase: table }], verify: { checksums: true } });
  // An incremental backup whose checksums follow the change: the drills below check the digest it
  // carried over against a walk of everything.
  const h = webhdfs(east);
  await h.createFile(`${dir}/a.txt`, 'ALPHA', true);
  await h.createFile(`${dir}/new.txt`, 'a new file', true);
  await h.send(ops.delete(`${dir}/big.bin`));
  await h.rename(`${dir}/sub`, `${dir}/moved`);
  const next = await backup(policy);
  expect(next.r.exitCode, next.stderr).toBe(0);
  const entry = JSON.parse(
    String(await webhdfs(west).readFile(`/.hbackup/catalog/${service}/${next.report!.restorePoint.slice(-16)}.json`)),
  );
  expect(entry.datasets[0]).toMatchObject({ mode: 'incremental', verification: { scope: 'changed', filesChecksummed: 3 } });
}, 300_000);

afterAll(async () => {
  await hbaseShell(east, `disable '${table}'\ndrop '${table}'\ndrop_namespace 'dr_${id}'\n`).catch(() => undefined);
});

describe('drill', () => {
  it('restores the newest point beside the live data, checks every file and row, runs the checks, records it, changes nothing live', async () => {
    const before = await live();
    const out = path.join(tmpDir('drill'), 'env');
    const check = `printf '%s\\n%s\\n' "$HBACKUP_DRILL_DIRS" "$HBACKUP_DRILL_TABLES" > ${out}`;
    const { r, report } = await drill(policy, '--check', check);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(report.result).toBe('ok');
    expect(report.restoreMs).toBeGreaterThan(0);
    const [d, t] = report.datasets;
    expect(d!.scratch).toBe(`west:${dir}.hbackup-drill`);
    expect(d!.files).toBe(4);
    expect(d!.checked).toContain('3 file checksum(s) against the snapshot');
    expect(d!.checked).toContain('digest of 5 entries with checksums recorded by the backup');
    expect(t!.scratch).toBe(`west:${table}.hbackup-drill`);
    expect(t!.checked).toContain('full scan: 50 rows, 50 cells read');
    expect(fs.readFileSync(out, 'utf8')).toBe(`${dir}.hbackup-drill\n${table}.hbackup-drill\n`);
    // Recorded on the secondary, readable as the schema says.
    const recorded = JSON.parse(String(await webhdfs(west).readFile(report.recorded!)));
    expect(recorded).toMatchObject({ service, result: 'ok', point: report.restorePoint, checks: [{ exitCode: 0 }] });
    expect(await live()).toEqual(before);
    await noScratch();
  }, 240_000);

  it('a drill killed with kill -9 leaves scratch copies; the next one removes them and passes', async () => {
    const killed = await killAt(['drill', policy], /… scan /);
    expect(killed.killed, killed.seen.slice(-2000)).toBe(true);
    expect(await webhdfs(west).getFileStatus(`${dir}.hbackup-drill`)).toBeDefined();
    const plan = await hbackup(['drill', policy, '--dry-run']);
    expect(String(plan.stdout)).toMatch(/remove what an earlier drill left: .*a\.hbackup-drill|remove what an earlier drill left: DELETE/);
    expect(String(plan.stdout)).toContain('(planned when it runs: once what an earlier drill left is removed)');
    const { r, report } = await drill(policy);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(report.result).toBe('ok');
    await noScratch();
  }, 300_000);

  it('fails on a store file missing from a table snapshot, naming the table, and on a check that exits 1; the failure is recorded', async () => {
    const info = await tool(west, 'hbase', [
      'snapshot',
      'info',
      '-snapshot',
      `${(await drill(policy, '--dry-run')).report.restorePoint}.dr_${id}.t`,
      '-files',
    ]);
    const file = /\S+ dr_\w+:(t\/[0-9a-f]+\/f\/[0-9a-f]+) \(archive\)/.exec(`${info.stdout}\n${info.stderr}`)![1]!;
    const archived = `/hbase/archive/data/dr_${id}/${file}`;
    const h = webhdfs(west);
    await h.rename(archived, `${root}-aside`);
    try {
      const { r, report } = await drill(policy, '--check', 'echo no rows >&2; exit 1');
      expect(r.exitCode).toBe(1);
      expect(report.error).toContain(`table dr_${id}:t: snapshot`);
      expect(report.error).toContain(`${file.split('/').pop()} not found`);
      expect(report.error).toMatch(/check echo no rows >&2; exit 1 exited with 1: no rows/);
      const recorded = JSON.parse(String(await webhdfs(west).readFile(report.recorded!)));
      expect(recorded).toMatchObject({ result: 'failed', checks: [{ exitCode: 1 }] });
      // status says so, per service.
      const st = JSON.parse(String((await hbackup(['--json', 'status', '--policies', path.dirname(policy)])).stdout));
      expect(st.services[0].drills.lastFailed).toMatchObject({ stamp: recorded.stamp });
      expect(st.problems.map((p: { message: string }) => p.message).join('\n')).toContain(
        `${service}: the last restore drill (${recorded.stamp}`,
      );
    } finally {
      await h.rename(`${root}-aside`, archived);
    }
    await noScratch();
  }, 240_000);

  it('fails on a block rewritten by hand on the secondary (same size), naming the file', async () => {
    const bad = `${root}/rot`;
    await snapshottable(bad, { 'ok.txt': 'fine', 'rotten.txt': 'the original words' });
    const p = writePolicy({ service: `${service}-rot`, datasets: [{ hdfs: bad }] });
    expect((await backup(p)).r.exitCode).toBe(0);
    const located = (await (
      await fetch(`http://127.0.0.1:${west.ports.nnHttp}/webhdfs/v1${bad}/rotten.txt?op=GET_BLOCK_LOCATIONS&user.name=${west.user}`)
    ).json()) as { LocatedBlocks: { locatedBlocks: { block: { blockId: number } }[] } };
    const blockId = located.LocatedBlocks.locatedBlocks[0]!.block.blockId;
    const blockFile = findFile(path.join(sandboxDir(), 'west', 'dfs'), `blk_${blockId}`);
    fs.writeFileSync(blockFile, 'THE ORIGINAL WORDS');
    try {
      const { r, report } = await drill(p);
      expect(r.exitCode).toBe(1);
      expect(report.error).toMatch(new RegExp(`cannot be read back: ${bad}/\\.snapshot/hb-\\S+/rotten\\.txt`));
      expect(await webhdfs(west).getFileStatus(`${bad}.hbackup-drill`)).toBeUndefined();
    } finally {
      // The rotten file goes (its snapshots first), so no other test meets a corrupt block.
      const h = webhdfs(west);
      for (const s of await h.listSnapshots(bad)) await h.send(ops.deleteSnapshot(bad, s));
      await h.send(ops.delete(bad, true));
    }
  }, 240_000);
});

function findFile(dirPath: string, name: string): string {
  for (const e of fs.readdirSync(dirPath, { withFileTypes: true })) {
    const p = path.join(dirPath, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      try {
        return findFile(p, name);
      } catch {
        // not below this one
      }
    }
  }
  throw new Error(`${name} not found below ${dirPath}`);
}
