// A small diff applied through WebHDFS by hbackup itself, against the sandbox: one source, two
// services, one copying its diffs directly and one by DistCp (copy.direct: off). The same changes
// (creates, overwrites, an append, deletes, a renamed directory, a swap, a rename chain, a file moved
// into a new directory, empty files, spaces and non-ASCII names, owners, permissions, ACLs, xattrs)
// leave both targets equal file by file and attribute by attribute. A diff past the limits goes to
// DistCp and says so; an erasure-coded file is never copied directly; a direct copy killed with -9
// converges on the next run, which stays incremental.
import { describe, expect, it } from 'vitest';
import { ops } from '../../src/hdfs/requests.js';
import type { WebHdfs } from '../../src/hdfs/webhdfs.js';
import { backup, bytes, east, runId, type SiteInfo, snap, snapshottable, tool, webhdfs, west, writePolicy } from './helpers.js';
import { killAt } from './plans.js';

const id = runId();
const src = `/it/direct-${id}/src`;
const viaWebHdfs = `/it/direct-${id}/web`;
const viaDistCp = `/it/direct-${id}/job`;

/** Every entry below a directory with everything an application can see of it. */
async function attributes(site: SiteInfo, dir: string) {
  const h = webhdfs(site);
  const out: Record<string, unknown>[] = [];
  for (const { rel, status: s } of await h.listRecursive(dir)) {
    const p = `${dir}/${rel}`;
    const acl = s.aclBit ? (await h.aclStatus(p)).entries.sort() : [];
    out.push({
      rel,
      type: s.type,
      length: s.length,
      owner: s.owner,
      group: s.group,
      permission: s.permission,
      acl,
      xattrs: await h.xattrs(p, 'hex'),
      modificationTime: s.modificationTime,
      ...(s.type === 'FILE'
        ? {
            accessTime: s.accessTime,
            blockSize: s.blockSize,
            replication: s.replication,
            checksum: s.length ? (await h.fileChecksum(p)).bytes : '',
          }
        : {}),
    });
  }
  return out.sort((a, b) => String(a.rel).localeCompare(String(b.rel)));
}

const noReplication = (l: Record<string, unknown>[]) => l.map(({ replication: _, ...e }) => e);

const put = (h: WebHdfs, p: string, data: string | Buffer) => h.createFile(p, data, true);

/** The changes the issue names, made on the source through WebHDFS (an append through the hdfs tool). */
async function change(h: WebHdfs) {
  await put(h, `${src}/new file é.txt`, 'created with a space and é');
  await put(h, `${src}/empty-new`, '');
  await put(h, `${src}/over.bin`, bytes(70_000, 5));
  await tool(east, 'hdfs', ['dfs', '-appendToFile', '-', `${src}/grow.txt`], 'appended\n');
  await h.delete(`${src}/gone.txt`);
  await h.delete(`${src}/old-dir`, true);
  await h.rename(`${src}/dir`, `${src}/dir-renamed`);
  await put(h, `${src}/dir-renamed/inside-new.txt`, 'new in a renamed directory');
  await h.rename(`${src}/x`, `${src}/tmp-swap`);
  await h.rename(`${src}/y`, `${src}/x`);
  await h.rename(`${src}/tmp-swap`, `${src}/y`);
  await h.rename(`${src}/a`, `${src}/b`);
  await h.rename(`${src}/b`, `${src}/c`);
  await h.mkdirs(`${src}/fresh/deep`);
  await h.rename(`${src}/keep/moved.txt`, `${src}/fresh/deep/moved.txt`);
  await put(h, `${src}/fresh/deep/made.txt`, 'in a created directory');
  await h.send(ops.setOwner(`${src}/keep/owned.txt`, 'alice', 'analysts'));
  await h.send(ops.setPermission(`${src}/keep/owned.txt`, '640'));
  await h.send(ops.setAcl(`${src}/keep`, 'user::rwx,group::r-x,other::r-x,user:bob:rwx,mask::rwx'));
  await h.send(ops.setXAttr(`${src}/keep/owned.txt`, { name: 'user.tag', value: '"gold"', create: true }));
  await h.send(ops.setXAttr(`${src}/fresh/deep/made.txt`, { name: 'user.origin', value: '"east"', create: true }));
}

describe('a small diff copied through WebHDFS', () => {
  it('leaves the same target as DistCp, entry by entry and attribute by attribute', async () => {
    await snapshottable(src, {
      'gone.txt': 'to be deleted',
      'over.bin': bytes(50_000),
      'grow.txt': 'grows\n',
      'old-dir/a.txt': 'deleted with its directory',
      'dir/in/f.txt': 'in a directory to be renamed',
      x: 'x',
      y: 'yy',
      a: 'the chain a → b → c',
      'keep/moved.txt': 'moved into a new directory',
      'keep/owned.txt': 'changes owner',
      'ünï cødé/empty': '',
    });
    const web = writePolicy({ service: `dweb-${id}`, datasets: [{ hdfs: src, target: viaWebHdfs }] });
    const job = writePolicy({ service: `djob-${id}`, datasets: [{ hdfs: src, target: viaDistCp }], copy: { direct: 'off' } });
    for (const p of [web, job]) expect((await backup(p)).r.exitCode).toBe(0);
    await change(webhdfs(east));

    const dry = await backup(web, '--dry-run');
    expect(dry.report!.datasets[0].reason).toMatch(/through WebHDFS$/);
    const a = await backup(web, '--verbose');
    expect(a.r.exitCode, a.stderr).toBe(0);
    expect(a.report!.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'webhdfs' });
    expect(a.stderr).not.toMatch(/ run: .* distcp /);
    const b = await backup(job);
    expect(b.r.exitCode, b.stderr).toBe(0);
    expect(b.report!.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'distcp' });

    const [direct, distcp, source] = await Promise.all([
      attributes(west, viaWebHdfs),
      attributes(west, viaDistCp),
      attributes(east, snap(src, a.report!.restorePoint)),
    ]);
    const entry = (rel: string) => direct.find((e) => e.rel === rel);
    expect(direct.map((e) => e.rel)).toEqual(
      expect.arrayContaining([
        'c',
        'x',
        'y',
        'dir-renamed/in/f.txt',
        'dir-renamed/inside-new.txt',
        'fresh/deep/moved.txt',
        'new file é.txt',
      ]),
    );
    expect(entry('keep/owned.txt')).toMatchObject({ owner: 'alice', group: 'analysts', permission: '640' });
    expect(entry('keep/owned.txt')!.xattrs).toHaveProperty('user.tag');
    expect(entry('keep')!.acl).toContain('user:bob:rwx');
    expect(entry('grow.txt')).toMatchObject({ length: 15 });
    expect(entry('x')).toMatchObject({ length: 2 });
    expect(direct).toEqual(distcp);
    // And both as the source's snapshot, but for replication (the secondary keeps its own).
    expect(noReplication(direct)).toEqual(noReplication(source));
  });

  it('sends a diff past its limits to DistCp, and never copies an erasure-coded file directly', async () => {
    const root = `/it/direct-${id}/limits`;
    await snapshottable(root, { 'a.txt': 'a' });
    const policy = writePolicy({ service: `dlim-${id}`, datasets: [{ hdfs: root }], copy: { direct: { maxFiles: 2 } } });
    expect((await backup(policy)).r.exitCode).toBe(0);
    const h = webhdfs(east);
    for (const n of ['b', 'c', 'd']) await put(h, `${root}/${n}.txt`, n);
    const r = await backup(policy);
    expect(r.r.exitCode, r.stderr).toBe(0);
    expect(r.report!.datasets[0]).toMatchObject({
      copiedBy: 'distcp',
      directRefused: 'more than 2 files to write (copy.direct.maxFiles)',
    });
    expect(r.stderr).toMatch(/by DistCp \(more than 2 files to write \(copy\.direct\.maxFiles\)\)/);

    // An erasure-coding policy on a directory (enabled first; a file of no bytes needs no DataNodes to write).
    const ecpolicy = 'XOR-2-1-1024k';
    await h.send({ method: 'PUT', path: '/', op: 'ENABLEECPOLICY', params: { ecpolicy } });
    await h.mkdirs(`${root}/coded`);
    await h.send({ method: 'PUT', path: `${root}/coded`, op: 'SETECPOLICY', params: { ecpolicy } });
    await put(h, `${root}/coded/empty`, '');
    const coded = await backup(policy);
    expect(coded.r.exitCode, coded.stderr).toBe(0);
    expect(coded.report!.datasets[0]).toMatchObject({ copiedBy: 'distcp', directRefused: `${root}/coded is erasure-coded` });
  });

  it('converges after a direct copy killed with -9, and stays incremental', async () => {
    const root = `/it/direct-${id}/killed`;
    await snapshottable(root, { 'seed.txt': 'seed', 'sub/old.txt': 'old' });
    const policy = writePolicy({ service: `dkill-${id}`, datasets: [{ hdfs: root }] });
    expect((await backup(policy)).r.exitCode).toBe(0);
    const h = webhdfs(east);
    for (let i = 0; i < 40; i++) await put(h, `${root}/sub/f${i}.bin`, bytes(30_000 + i, i + 1));
    await h.rename(`${root}/sub/old.txt`, `${root}/renamed.txt`);
    const killed = await killAt(['backup', policy], /DataNode PUT .*\/sub\/f\d+\.bin\?op=CREATE/, 50);
    expect(killed.killed).toBe(true);
    const r = await backup(policy);
    expect(r.r.exitCode, r.stderr).toBe(0);
    expect(r.report!.datasets[0]).toMatchObject({ mode: 'incremental', copiedBy: 'webhdfs' });
    expect(r.report!.datasets[0].rolledBack?.length).toBeGreaterThan(0);
    expect(noReplication(await attributes(west, snap(root, r.report!.restorePoint)))).toEqual(
      noReplication(await attributes(east, snap(root, r.report!.restorePoint))),
    );
  });
});
