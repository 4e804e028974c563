// What the benches share: the sandbox's sites, and snapshottable directories of many small files
// written locally first, then put with 16 threads per directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { sandboxDir, siteLayout } from '../test/cluster/layout.js';

export const east = siteLayout('east', '');
export const west = siteLayout('west', '');
export const tool = (site, name, args) => execa(path.join(site.binDir, name), args);

/** A work directory, and the environment a bench runs hbackup with (its own state, the sandbox's clusters). */
export function workspace(prefix) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `hbackup-${prefix}-`));
  const env = { HBACKUP_STATE_DIR: path.join(work, 'state'), HBACKUP_CLUSTERS: path.join(sandboxDir(), 'clusters.yaml'), NO_COLOR: '1' };
  return { work, env };
}

/** Make each directory on east with `perDir` files of about 160 bytes, snapshottable. */
export async function smallFiles(work, dirs, perDir) {
  const local = path.join(work, 'data');
  await tool(east, 'hdfs', ['dfs', '-mkdir', '-p', path.posix.dirname(dirs[0])]);
  for (const [i, d] of dirs.entries()) {
    const dir = path.join(local, `d${i}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perDir; f++)
      fs.writeFileSync(path.join(dir, `f${String(f).padStart(6, '0')}.txt`), `${'x'.repeat(150)} ${i} ${f}\n`);
    await tool(east, 'hdfs', ['dfs', '-put', '-t', '16', dir, d]);
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', d]);
  }
}

/**
 * A cycle by hand, as an administrator would run it from snapshot `from` (one name for all, or each
 * directory's own): per directory, one after another, snapshot `to`, `distcp -update -diff from to`,
 * the target's snapshot. Its milliseconds.
 */
export async function cycleByHand(dirs, from, to) {
  const start = Date.now();
  for (const d of dirs) {
    const since = typeof from === 'string' ? from : from(d);
    await tool(east, 'hdfs', ['dfs', '-createSnapshot', d, to]);
    await tool(east, 'hadoop', [
      'distcp',
      '-update',
      '-diff',
      since,
      to,
      '-pbcugpaxt',
      '-m',
      '4',
      `${east.fsUri}${d}`,
      `${west.fsUri}${d}`,
    ]);
    await tool(west, 'hdfs', ['dfs', '-createSnapshot', d, to]);
  }
  return Date.now() - start;
}
