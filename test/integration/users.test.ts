// sync-users against the sandbox: home directories with owners, ACLs and quotas, an ACL'd data set
// root, a shared path and HBase grants (namespace, table, column family; the sandbox runs HBase's
// AccessController) are mirrored on the secondary and read back with Hadoop's and HBase's own
// tools; a second run has nothing to do; a dry run changes nothing; a home and a grant only the
// secondary has stay without --prune and go with it; an owner change on a file of unchanged size arrives;
// --contents pushes the homes' files with the primary's DistCp; a policy's syncUsers runs after its backup.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ops, type WebHdfsRequest } from '../../src/hdfs/requests.js';
import {
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  hbaseShell,
  jsonLines,
  putTree,
  runId,
  type SiteInfo,
  snapshottable,
  tmpDir,
  tool,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();
const root = `/it/users-${id}`;
/** A namespace only the primary has, and one with a table on both sides. */
const [nsA, nsB] = [`ga_${id}`, `gb_${id}`];
const homes = `${root}/home`;
let env: Record<string, string>;
let policies: string;

/** `hdfs dfs -setfacl -m` through WebHDFS: the entries added to the ACL. */
const acl = (path: string, aclspec: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'MODIFYACLENTRIES', params: { aclspec } });

const hdfs = async (site: SiteInfo, args: string[]) => {
  const r = await tool(site, 'hdfs', args);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return String(r.stdout);
};
/** What Hadoop's own tools say of some paths: owner, group, permission, ACL and quotas (one JVM per question). */
async function described(site: SiteInfo, paths: string[]) {
  const lines = async (args: string[]) => (await hdfs(site, [...args, ...paths])).trim().split('\n');
  const stat = await lines(['dfs', '-stat', '%u:%g %a']);
  // QUOTA and SPACE_QUOTA (what remains of them depends on what each side holds), and the DISK quota.
  const quotas = (await lines(['dfs', '-count', '-q'])).map((l) =>
    l
      .trim()
      .split(/\s+/)
      .filter((_, i) => i === 0 || i === 2),
  );
  const disk = (await lines(['dfs', '-count', '-q', '-t', 'DISK'])).map((l) => l.trim().split(/\s+/)[0]);
  const out = [];
  for (const [i, p] of paths.entries()) {
    const acl = (await hdfs(site, ['dfs', '-getfacl', p])).replace(/^# file: .*\n/, '');
    out.push({ stat: stat[i], acl, quotas: quotas[i], disk: disk[i] });
  }
  return out;
}

const sync = async (...args: string[]) => {
  const r = await hbackup(['sync-users', '--json', ...args], { env });
  return { r, report: jsonLines(String(r.stdout))[0]!, stderr: String(r.stderr) };
};

describe('sync-users', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8'));
    sandbox.users = { homes: [homes], paths: [`${root}/shared`] };
    const file = path.join(tmpDir('users'), 'clusters.yaml');
    fs.writeFileSync(file, stringify(sandbox));
    env = { HBACKUP_CLUSTERS: file };

    // Two homes on the primary, with owners, ACLs (and a default ACL) and quotas; a shared path.
    await putTree(east, `${homes}/alice`, { 'notes.txt': 'alice writes here\n', 'project/': null });
    await putTree(east, `${homes}/bob`, {});
    await putTree(east, `${root}/shared`, { 'readme.txt': 'shared\n' });
    // (Through WebHDFS, as `hdfs dfs -chown -R`, `-chmod`, `-setfacl -m` and `dfsadmin -setQuota`/`-setSpaceQuota` would.)
    const e = webhdfs(east);
    for (const p of [`${homes}/alice`, `${homes}/alice/notes.txt`, `${homes}/alice/project`])
      await e.send(ops.setOwner(p, 'alice', 'staff'));
    await e.send(ops.setPermission(`${homes}/alice`, '750'));
    await e.send({
      method: 'PUT',
      path: `${homes}/alice`,
      op: 'MODIFYACLENTRIES',
      params: { aclspec: 'user:bob:r-x,default:user:bob:r-x' },
    });
    await e.send(ops.setQuota(`${homes}/alice`, 1000, 10 * 1024 ** 3));
    await e.send(ops.setOwner(`${homes}/bob`, 'bob', 'staff'));
    await e.send(ops.setPermission(`${homes}/bob`, '1700'));
    await e.send(ops.setQuotaByStorageType(`${homes}/bob`, 'DISK', 5 * 1024 ** 3));
    await e.send(ops.setPermission(`${root}/shared`, '1777'));

    // HBase grants on the primary; the secondary has the table, and a grant of its own.
    const shell = async (site: SiteInfo, script: string) => {
      const r = await hbaseShell(site, script);
      expect(r.exitCode, String(r.stdout)).toBe(0);
    };
    await shell(
      east,
      [
        `create_namespace '${nsA}'`,
        `create_namespace '${nsB}'`,
        `create '${nsB}:t', 'd'`,
        `grant 'alice', 'RW', '@${nsA}'`,
        `grant 'bob', 'R', '${nsB}:t'`,
        `grant 'carol', 'R', '${nsB}:t', 'd'`,
        '',
      ].join('\n'),
    );
    await shell(west, [`create_namespace '${nsB}'`, `create '${nsB}:t', 'd'`, `grant 'mallory', 'RW', '@${nsB}'`, ''].join('\n'));

    // A data set whose root carries an ACL, backed up once so its copy exists.
    await snapshottable(`${root}/data`, { 'f.txt': 'x' });
    await webhdfs(east).send(acl(`${root}/data`, 'group:analysts:r-x,default:group:analysts:r-x'));
    const policy = writePolicy({ service: `users-${id}`, datasets: [{ hdfs: `${root}/data`, target: `${root}/data-copy` }] });
    policies = path.dirname(policy);
    const b = await hbackup(['backup', policy, '--json'], { env });
    expect(b.exitCode, String(b.stderr)).toBe(0);
  });

  it('plans without changing anything under --dry-run', async () => {
    const { r, report } = await sync('--dry-run', '--policies', policies);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(report).toMatchObject({ result: 'planned', dryRun: true, primary: 'east', secondary: 'west', applied: 0 });
    expect(report.created).toEqual(expect.arrayContaining([homes, `${homes}/alice`, `${homes}/bob`, `${root}/shared`]));
    expect(report.changes.some((c: any) => c.change.includes('op=SETACL'))).toBe(true);
    expect(await webhdfs(west).getFileStatus(`${homes}/alice`)).toBeUndefined();
  });

  it("mirrors homes, a shared path and a data set's root, as Hadoop's tools read them; then has nothing to do", async () => {
    const { r, report, stderr } = await sync('--policies', policies);
    expect(r.exitCode, stderr).toBe(0);
    expect(report.result).toBe('ok');
    expect(report.applied).toBe(report.changes.length);
    const paths = [`${homes}/alice`, `${homes}/bob`, `${root}/shared`];
    const [there, here] = [await described(west, paths), await described(east, paths)];
    expect(there).toEqual(here);
    expect(there[0]!.acl).toContain('default:user:bob:r-x');
    expect(there[0]!.quotas).toEqual(['1000', '10737418240']);
    expect(there[1]!).toMatchObject({ stat: 'bob:staff 1700', disk: '5368709120' });
    expect((await described(west, [`${root}/data-copy`]))[0]!.acl).toEqual((await described(east, [`${root}/data`]))[0]!.acl);
    // The grants, as HBase itself lists them on the secondary.
    expect(report.granted).toEqual(expect.arrayContaining([`alice RW on @${nsA}`, `bob R on ${nsB}:t`, `carol R on ${nsB}:t d`]));
    const perms = String((await hbaseShell(west, `user_permission '@${nsA}'\nuser_permission '${nsB}:t'\n`)).stdout);
    expect(perms).toMatch(/alice\s+.*actions=READ,WRITE/);
    expect(perms).toMatch(/bob\s+.*actions=READ\]/);
    expect(perms).toMatch(/carol\s+.*d,.*actions=READ\]/);
    // Owners unknown to the secondary's groups mapping are said, not fatal.
    expect(report.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^user alice is unknown on west/)]));

    const again = await sync('--policies', policies);
    expect(again.r.exitCode, again.stderr).toBe(0);
    expect(again.report).toMatchObject({ result: 'ok', changes: [], applied: 0 });
  });

  it('brings an owner change on a file whose size did not change to the secondary', async () => {
    // The same file on both sides (as a copy leaves it); then its owner changes on the primary only.
    await putTree(west, `${homes}/alice`, { 'notes.txt': 'alice writes here\n' });
    await webhdfs(west).send(ops.setOwner(`${homes}/alice/notes.txt`, 'alice', 'staff'));
    await sync();
    await webhdfs(east).send(ops.setOwner(`${homes}/alice/notes.txt`, 'bob', 'analysts'));
    await webhdfs(east).send(ops.setPermission(`${homes}/alice/notes.txt`, '640'));
    const { r, report } = await sync();
    expect(r.exitCode).toBe(0);
    expect(report.changed).toEqual([`${homes}/alice/notes.txt`]);
    expect((await described(west, [`${homes}/alice/notes.txt`]))[0]!.stat).toBe('bob:analysts 640');
  });

  it('keeps a home and a grant only the secondary has, unless --prune', async () => {
    await putTree(west, `${homes}/zed`, { 'old.txt': 'left behind\n' });
    const kept = await sync();
    expect(kept.report.removed).toEqual([]);
    expect(kept.report.warnings).toContain(`${homes}/zed exists on west only: kept (--prune removes it)`);
    expect(await webhdfs(west).getFileStatus(`${homes}/zed`)).toBeDefined();
    expect(String((await hbaseShell(west, `user_permission '@${nsB}'\n`)).stdout)).toContain('mallory');
    const pruned = await sync('--prune');
    expect(pruned.r.exitCode).toBe(0);
    expect(pruned.report.removed).toEqual([`${homes}/zed`]);
    expect(pruned.report.revoked).toContain(`mallory RW on @${nsB}`);
    expect(String((await hbaseShell(west, `user_permission '@${nsB}'\n`)).stdout)).not.toContain('mallory');
    expect(await webhdfs(west).getFileStatus(`${homes}/zed`)).toBeUndefined();
  });

  it("pushes the home directories' files with --contents, by the primary's DistCp, before their metadata; then nothing to do", async () => {
    // A new file, and one rewritten with the same size (only its content and time differ); one stray on the secondary.
    await putTree(east, `${homes}/alice`, { 'data.bin': Buffer.alloc(70_000, 7), 'notes.txt': 'alice WRITES here\n' });
    await webhdfs(east).send(ops.setOwner(`${homes}/alice/data.bin`, 'alice', 'staff'));
    await putTree(west, `${homes}/alice`, { 'stray.txt': 'only here\n' });

    const planned = await sync('--contents', '--dry-run');
    expect(planned.r.exitCode, planned.stderr).toBe(0);
    // data.bin, notes.txt, and alice's empty project directory, which no run has brought yet.
    expect(planned.report.contents).toEqual([{ root: homes, entries: 3, example: `${homes}/alice/data.bin` }]);
    const copy = planned.report.changes[0];
    expect(copy.site).toBe('east');
    expect(copy.change).toMatch(/distcp .*-update -pbcugpaxt -m 8 hdfs:\/\/\S+\/it\/users-\S+\/home hdfs:\/\/\S+\/home$/);
    expect(copy.change).not.toContain('-delete');
    expect(await webhdfs(west).getFileStatus(`${homes}/alice/data.bin`)).toBeUndefined();

    const { r, report, stderr } = await sync('--contents');
    expect(r.exitCode, stderr).toBe(0);
    expect(report).toMatchObject({ result: 'ok', applied: report.changes.length });
    // The same bytes, as HDFS's own checksums say (the path is the first column).
    const checksum = async (site: SiteInfo, p: string) => (await hdfs(site, ['dfs', '-checksum', p])).trim().split(/\s+/).slice(1);
    for (const f of ['data.bin', 'notes.txt']) {
      expect(await checksum(west, `${homes}/alice/${f}`)).toEqual(await checksum(east, `${homes}/alice/${f}`));
    }
    expect((await hdfs(west, ['dfs', '-cat', `${homes}/alice/notes.txt`])).trim()).toBe('alice WRITES here');
    const files = [`${homes}/alice/data.bin`, `${homes}/alice/notes.txt`, `${homes}/alice/project`, `${homes}/alice`];
    expect(await described(west, files)).toEqual(await described(east, files));
    // Without --prune, what only the secondary holds stays.
    expect(await webhdfs(west).getFileStatus(`${homes}/alice/stray.txt`)).toBeDefined();

    const again = await sync('--contents');
    expect(again.r.exitCode, again.stderr).toBe(0);
    expect(again.report).toMatchObject({ result: 'ok', changes: [], applied: 0, contents: [] });

    const pruned = await sync('--contents', '--prune');
    expect(pruned.r.exitCode, pruned.stderr).toBe(0);
    expect(pruned.report.contents).toEqual([{ root: homes, entries: 1, example: `${homes}/alice/stray.txt` }]);
    expect(pruned.report.changes[0].change).toContain('-update -delete');
    expect(await webhdfs(west).getFileStatus(`${homes}/alice/stray.txt`)).toBeUndefined();
    expect(await webhdfs(west).getFileStatus(`${homes}/alice/data.bin`)).toBeDefined();
  });

  it('runs after each successful backup of a policy with syncUsers: true, in the same report', async () => {
    await putTree(east, `${homes}/dave`, {});
    await webhdfs(east).send(ops.setOwner(`${homes}/dave`, 'dave', 'staff'));
    await webhdfs(east).send(ops.setPermission(`${homes}/dave`, '700'));
    await webhdfs(east).send(acl(`${root}/data`, 'group:auditors:r-x'));
    const policy = writePolicy({
      service: `users-${id}`,
      syncUsers: true,
      datasets: [{ hdfs: `${root}/data`, target: `${root}/data-copy` }],
    });

    const dry = await hbackup(['backup', policy, '--dry-run', '--json'], { env });
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    const planned = jsonLines(String(dry.stdout))[0]!;
    expect(planned.users).toMatchObject({ result: 'planned', dryRun: true, created: [`${homes}/dave`] });
    expect(await webhdfs(west).getFileStatus(`${homes}/dave`)).toBeUndefined();

    const b = await hbackup(['backup', policy, '--json'], { env });
    expect(b.exitCode, String(b.stderr)).toBe(0);
    const report = jsonLines(String(b.stdout))[0]!;
    expect(report).toMatchObject({ result: 'ok', users: { result: 'ok', primary: 'east', secondary: 'west', created: [`${homes}/dave`] } });
    expect(report.restorePoint).toBeTruthy();
    expect((await described(west, [`${homes}/dave`]))[0]!.stat).toBe('dave:staff 700');
    // The data set's root, with the ACL set after the previous sync, as Hadoop's tools read it.
    expect((await described(west, [`${root}/data-copy`]))[0]!.acl).toEqual((await described(east, [`${root}/data`]))[0]!.acl);
    expect((await described(west, [`${root}/data-copy`]))[0]!.acl).toContain('group:auditors:r-x');

    const human = await hbackup(['backup', policy], { env });
    expect(human.exitCode, String(human.stderr)).toBe(0);
    expect(String(human.stdout)).toMatch(/^ {2}sync-users: ok — east → west, \d+ place\(s\); nothing to do/m);
  });
});
