// Encryption zones (the sandbox's `kms` site: HDFS with a key server of its own, Hadoop's MiniKMS).
// A file's HDFS checksum is computed over the bytes stored, encrypted in a zone with the file's own
// key: a copy out of a zone or into one never has its source's checksum. Such data sets go by DistCp
// with -skipcrccheck (never through hbackup's own direct copy, however small the diff), are verified
// by paths, types and sizes, and the report says why checksums were not compared. Their contents are
// read back decrypted on the other side and compared byte for byte.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startKms, stopOne } from '../cluster/one.js';
import {
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  putTree,
  runId,
  type SiteInfo,
  tmpDir,
  tool,
  webhdfs,
  west,
} from './helpers.js';

const id = runId();

describe('encryption zones', () => {
  let kms: SiteInfo;
  /** kms as the primary, west as the secondary; east as the primary, kms as the secondary. */
  let out: string;
  let into: string;
  beforeAll(async () => {
    await ensureSandboxUp();
    kms = await startKms();
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const site = {
      webhdfs: `http://127.0.0.1:${kms.ports.nnHttp}`,
      fs: kms.fsUri,
      user: kms.user,
      tools: { hadoop: `${kms.binDir}/hadoop`, hdfs: `${kms.binDir}/hdfs`, hbase: `${kms.binDir}/hbase` },
    };
    const write = (name: string, clusters: Record<string, unknown>) => {
      const file = path.join(tmpDir(`zones-${name}`), 'clusters.yaml');
      fs.writeFileSync(file, stringify({ clusters }));
      return file;
    };
    out = write('out', { kms: { ...site, role: 'primary' }, west: { ...sandbox.clusters.west, role: 'secondary' } });
    // (East, whose identity says primary: roles come from the sites' identities where they hold one.)
    into = write('in', { east: { ...sandbox.clusters.east, role: 'primary' }, kms: { ...site, role: 'secondary' } });
    await tool(kms, 'hadoop', ['key', 'create', 'ezkey']);
  });
  afterAll(() => stopOne('kms'));

  /** Each file's contents as read through WebHDFS (decrypted by the DataNode in a zone). */
  const contents = async (site: SiteInfo, dir: string) => {
    const h = webhdfs(site);
    const out: Record<string, string> = {};
    for (const { rel, status } of await h.listRecursive(dir)) {
      if (status.type === 'FILE') out[rel] = (await h.readFile(`${dir}/${rel}`))?.toString('base64') ?? '';
    }
    return out;
  };

  const run = (clusters: string, policy: string, ...flags: string[]) =>
    hbackup(['backup', policy, '--json', ...flags], { env: { HBACKUP_CLUSTERS: clusters } });

  it('copies a zone by DistCp without its checksum check, says so, and never directly', async () => {
    const dir = `/it/ez-${id}/out`;
    await tool(kms, 'hdfs', ['dfs', '-mkdir', '-p', dir]);
    await tool(kms, 'hdfs', ['crypto', '-createZone', '-keyName', 'ezkey', '-path', dir]);
    await putTree(kms, dir, { 'a.txt': 'in the zone', 'sub/b.bin': Buffer.alloc(300_000, 7), 'sub/empty': '' });
    await tool(kms, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = path.join(tmpDir('zones-policy'), 'p.yaml');
    fs.writeFileSync(policy, stringify({ service: `ezout-${id}`, datasets: [{ hdfs: dir }], verify: { checksums: true } }));

    const first = await run(out, policy);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const zone = `kms:${dir} lies in an encryption zone`;
    // The secondary is no zone: said before anything is copied.
    expect(String(first.stderr)).toContain(`${zone} and west:${dir} does not: the secondary would store its copy unencrypted`);
    expect(jsonLines(String(first.stdout))[0]).toMatchObject({
      result: 'ok',
      datasets: [
        {
          mode: 'full',
          copiedBy: 'distcp',
          verified: { files: 3, bytes: 300_011, checksums: false, checksumsSkipped: `not comparable: ${zone}` },
        },
      ],
    });
    expect(await contents(west, dir)).toEqual(await contents(kms, dir));

    // A diff of one small file, which would otherwise go through WebHDFS.
    await putTree(kms, dir, { 'c.txt': 'later' });
    const dry = await run(out, policy, '--dry-run');
    const planned = jsonLines(String(dry.stdout))[0]!;
    expect(planned.datasets[0].reason).toContain(`${zone}: DistCp copies it (-skipcrccheck)`);
    expect(planned.planned.map((p: { change: string }) => p.change).join('\n')).toMatch(/distcp .*-diff .*-skipcrccheck/);
    const second = await run(out, policy);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(jsonLines(String(second.stdout))[0]).toMatchObject({
      result: 'ok',
      datasets: [{ mode: 'incremental', copiedBy: 'distcp', directRefused: zone, filesCopied: 1 }],
    });
    expect(await contents(west, dir)).toEqual(await contents(kms, dir));
    const human = await hbackup(['backup', policy], { env: { HBACKUP_CLUSTERS: out } });
    expect(human.exitCode, String(human.stderr)).toBe(0);
    expect(String(human.stdout)).toContain(`checksums not comparable: ${zone}: verified by paths, types and sizes`);

    // Rolled back in place on the primary, inside the zone (distcp -rdiff: two files of one zone have
    // different keys, so their checksums differ too).
    const atPoint = await contents(kms, dir);
    await putTree(kms, dir, { 'a.txt': 'changed after the restore point' });
    const restore = await hbackup(['restore', policy, '--on', 'primary', '--yes', '--json'], { env: { HBACKUP_CLUSTERS: out } });
    expect(restore.exitCode, String(restore.stderr)).toBe(0);
    expect(String(restore.stdout)).toMatch(/distcp -rdiff|-rdiff/);
    expect(await contents(kms, dir)).toEqual(atPoint);
  });

  it('copies into a zone on the secondary the same way', async () => {
    const dir = `/it/ez-${id}/in`;
    await putTree(east, dir, { 'x.txt': 'plain on the primary', 'y/z.bin': Buffer.alloc(70_000, 3) });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    // The target made a zone before the first copy, as the warning above says to.
    await tool(kms, 'hdfs', ['dfs', '-mkdir', '-p', dir]);
    await tool(kms, 'hdfs', ['crypto', '-createZone', '-keyName', 'ezkey', '-path', dir]);
    const policy = path.join(tmpDir('zones-policy'), 'p.yaml');
    fs.writeFileSync(policy, stringify({ service: `ezin-${id}`, datasets: [{ hdfs: dir }], verify: { checksums: true } }));
    const zone = `kms:${dir} lies in an encryption zone`;

    const first = await run(into, policy);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(String(first.stderr)).not.toContain('unencrypted');
    expect(jsonLines(String(first.stdout))[0]).toMatchObject({
      result: 'ok',
      datasets: [{ mode: 'full', verified: { files: 2, checksums: false, checksumsSkipped: `not comparable: ${zone}` } }],
    });
    await putTree(east, dir, { 'x.txt': 'rewritten on the primary' });
    const second = await run(into, policy);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(jsonLines(String(second.stdout))[0]).toMatchObject({
      datasets: [{ mode: 'incremental', copiedBy: 'distcp', directRefused: zone }],
    });
    // Stored encrypted on the secondary, read back decrypted: the primary's bytes.
    expect((await webhdfs(kms).getFileStatus(`${dir}/x.txt`))?.encBit).toBe(true);
    expect(await contents(kms, dir)).toEqual(await contents(east, dir));
  });
});
