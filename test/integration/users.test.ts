// sync-users against the sandbox: home directories with owners, ACLs and quotas, an ACL'd data set
// root, a shared path and HBase grants (namespace, table, column family; the sandbox runs HBase's
// AccessController) are mirrored on the secondary and read back with Hadoop's and HBase's own
// tools; a second run has nothing to do; a dry run changes nothing; a home and a grant only the
// secondary has stay without --prune and go with it; an owner change on a file of unchanged size arrives.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
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
    await hdfs(east, ['dfs', '-chown', '-R', 'alice:staff', `${homes}/alice`]);
    await hdfs(east, ['dfs', '-chmod', '750', `${homes}/alice`]);
    await hdfs(east, ['dfs', '-setfacl', '-m', 'user:bob:r-x,default:user:bob:r-x', `${homes}/alice`]);
    await hdfs(east, ['dfsadmin', '-setQuota', '1000', `${homes}/alice`]);
    await hdfs(east, ['dfsadmin', '-setSpaceQuota', '10g', `${homes}/alice`]);
    await hdfs(east, ['dfs', '-chown', 'bob:staff', `${homes}/bob`]);
    await hdfs(east, ['dfs', '-chmod', '1700', `${homes}/bob`]);
    await hdfs(east, ['dfsadmin', '-setSpaceQuota', '5g', '-storageType', 'DISK', `${homes}/bob`]);
    await hdfs(east, ['dfs', '-chmod', '1777', `${root}/shared`]);

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
    await hdfs(east, ['dfs', '-setfacl', '-m', 'group:analysts:r-x,default:group:analysts:r-x', `${root}/data`]);
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
    await hdfs(west, ['dfs', '-chown', 'alice:staff', `${homes}/alice/notes.txt`]);
    await sync();
    await hdfs(east, ['dfs', '-chown', 'bob:analysts', `${homes}/alice/notes.txt`]);
    await hdfs(east, ['dfs', '-chmod', '640', `${homes}/alice/notes.txt`]);
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
});
