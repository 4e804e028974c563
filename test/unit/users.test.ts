// What sync-users asks of WebHDFS to make an entry on the secondary like the primary's: pure, from
// what each side holds (owner, group, permission, ACL, quotas); with --contents, the DistCp that
// pushes the home directories' files, planned only where the trees differ.
import { describe, expect, it } from 'vitest';
import { ClusterSchema } from '../../src/config/schema.js';
import { PRESERVE } from '../../src/distcp/distcp.js';
import { differs, planContents } from '../../src/flows/users/contents.js';
import { parseGrants, planGrants } from '../../src/flows/users/grants.js';
import { type Attributes, aclSpec, attributeChanges, attributesOf, quotaChanges, usersOf } from '../../src/hdfs/attributes.js';
import { openSite } from '../../src/sites/site.js';
import { targetTag } from '../../src/yarn/jobs.js';
import { FakeHadoop } from '../fakes/hadoop.js';

const base: Attributes = { owner: 'alice', group: 'staff', permission: '0750' };
const withAcl: Attributes = { ...base, acl: ['default:user:bob:r-x', 'group::r-x', 'user:bob:r-x'].sort() };
const ops = (rs: { op: string; params?: Record<string, unknown> }[]) => rs.map((r) => `${r.op} ${JSON.stringify(r.params ?? {})}`);

describe('attributes', () => {
  it('reads a sticky bit and an ACL as four digits and sorted entries', () => {
    const st = { owner: 'bob', group: 'staff', permission: '1700', entries: ['user:x:r--', 'group::r-x'], stickyBit: true };
    expect(attributesOf(st, st)).toEqual({ owner: 'bob', group: 'staff', permission: '1700', acl: ['group::r-x', 'user:x:r--'] });
  });

  it('builds the whole ACL spec SETACL needs from what GETACLSTATUS lists', () => {
    expect(aclSpec(withAcl)).toBe('user::rwx,group::r-x,user:bob:r-x,mask::r-x,other::---,default:user:bob:r-x');
    // Only default entries: the group's own entry comes from the permission, and there is no mask.
    expect(aclSpec({ ...base, acl: ['default:user:bob:r-x'] })).toBe('user::rwx,group::r-x,other::---,default:user:bob:r-x');
  });

  it('changes only what differs, the permission after an ACL is removed', () => {
    expect(attributeChanges('/u/a', base, base)).toEqual([]);
    expect(ops(attributeChanges('/u/a', { ...base, owner: 'bob' }, base))).toEqual(['SETOWNER {"owner":"bob","group":"staff"}']);
    expect(ops(attributeChanges('/u/a', withAcl, base))).toEqual([`SETACL {"aclspec":"${aclSpec(withAcl)}"}`]);
    expect(ops(attributeChanges('/u/a', base, withAcl))).toEqual(['REMOVEACL {}', 'SETPERMISSION {"permission":"0750"}']);
    // Nothing there yet: everything is set.
    expect(ops(attributeChanges('/u/a', withAcl, undefined))).toEqual([
      'SETOWNER {"owner":"alice","group":"staff"}',
      'SETPERMISSION {"permission":"0750"}',
      `SETACL {"aclspec":"${aclSpec(withAcl)}"}`,
    ]);
  });

  it('sets quotas that differ and clears those the primary does not have (-1)', () => {
    const none = { quota: -1, spaceQuota: -1, typeQuota: {} };
    expect(quotaChanges('/u/a', none, none)).toEqual([]);
    expect(ops(quotaChanges('/u/a', { quota: 1000, spaceQuota: 10, typeQuota: { DISK: { quota: 5 } } }, none))).toEqual([
      'SETQUOTA {"namespacequota":1000,"storagespacequota":10}',
      'SETQUOTABYSTORAGETYPE {"storagetype":"DISK","storagespacequota":5}',
    ]);
    expect(ops(quotaChanges('/u/a', none, { quota: 1000, spaceQuota: -1, typeQuota: { SSD: { quota: 7 } } }))).toEqual([
      'SETQUOTA {"namespacequota":-1,"storagespacequota":-1}',
      'SETQUOTABYSTORAGETYPE {"storagetype":"SSD","storagespacequota":-1}',
    ]);
  });

  it('names the users an entry needs on the secondary: its owner and its named ACL users', () => {
    expect(usersOf(withAcl)).toEqual(['alice', 'bob', 'bob']);
  });
});

describe('HBase grants', () => {
  const read = (lines: string[]) => parseGrants(lines.map((l) => l.replaceAll(' | ', '\t')).join('\n'));
  const primary = read([
    'hbackup_conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)',
    'hbackup:ns | default',
    'hbackup:ns | sales',
    'hbackup:table | sales:orders',
    'hbackup:table | events',
    'hbackup:acl | hbase:acl | ops | RWXCA',
    'hbackup:acl | @sales | alice | RW',
    'hbackup:acl | @sales | @analysts | R',
    'hbackup:acl | sales:orders | bob | R',
    'hbackup:acl | sales:orders | carol,d,amount | R',
    'hbackup:acl | events | dave | RW',
  ]);

  it('reads every kind of grant, its namespaces and tables from what the shell printed', () => {
    expect(primary.enabled).toBe(true);
    expect([...primary.namespaces]).toEqual(['default', 'sales']);
    expect(primary.grants).toContainEqual({ scope: 'sales:orders', user: 'carol', family: 'd', qualifier: 'amount', actions: 'R' });
    expect(parseGrants('hbackup:ns\tdefault\nhbackup:acl-off\n').enabled).toBe(false);
  });

  it('grants what the secondary lacks, creating a missing namespace first, and leaves table-less grants to the snapshots', () => {
    const secondary = read(['hbackup:ns | default', 'hbackup:table | sales:orders', 'hbackup:acl | sales:orders | bob | RW']);
    const plan = planGrants(primary, secondary, { prune: false });
    expect(plan.statements).toEqual([
      "create_namespace 'sales'",
      "grant 'ops', 'RWXCA'",
      "grant 'alice', 'RW', '@sales'",
      "grant '@analysts', 'R', '@sales'",
      "grant 'bob', 'R', 'sales:orders'",
      "grant 'carol', 'R', 'sales:orders', 'd', 'amount'",
    ]);
    expect(plan.withSnapshots).toBe(1);
    expect(plan.users).toEqual(['ops', 'alice', 'bob', 'carol']);
  });

  it('revokes what only the secondary has, only with --prune; nothing to do when alike', () => {
    const secondary = read(['hbackup:ns | sales', 'hbackup:table | sales:orders', 'hbackup:acl | @sales | mallory | RWXCA']);
    expect(planGrants(primary, secondary, { prune: false }).revoked).toEqual([]);
    const pruned = planGrants(primary, secondary, { prune: true });
    expect(pruned.revoked).toEqual(['mallory RWXCA on @sales']);
    expect(pruned.statements.at(-1)).toBe("revoke 'mallory', '@sales'");
    expect(planGrants(primary, primary, { prune: true }).statements).toEqual([]);
  });
});

describe('--contents', () => {
  const cluster = (name: string, role: 'primary' | 'secondary', base: string, fs: string) => ({
    name,
    ...ClusterSchema.parse({ role, webhdfs: base, fs, tools: { hadoop: `/opt/${name}/bin/hadoop` } }),
  });
  function sites() {
    const hadoop = new FakeHadoop(() => new Date('2026-11-25T02:00:00Z'));
    const east = hadoop.add('east');
    const west = hadoop.add('west');
    const io = { fetch: hadoop.fetch };
    return {
      east,
      west,
      primary: openSite(cluster('east', 'primary', east.base, east.fs), io),
      secondary: openSite(cluster('west', 'secondary', west.base, west.fs), io),
    };
  }
  const opts = { prune: false, stamp: '20261125T0200Z', mappers: 8 };

  it('plans one DistCp per home root whose trees differ, run by the primary, -delete only with --prune', async () => {
    const { east, west, primary, secondary } = sites();
    east.write('/user/alice/a.txt', 'a');
    east.write('/user/bob/b.txt', 'b');
    west.write('/user/alice/a.txt', 'a');
    west.write('/user/carol/c.txt', 'c');
    const plan = await planContents(primary, secondary, ['/user', '/home'], opts);
    // /home is not on the primary: nothing to copy there. Under /user: bob and bob/b.txt are missing.
    expect(plan.differing).toEqual([{ root: '/user', entries: 2, example: '/user/bob' }]);
    expect(plan.changes).toHaveLength(1);
    const change = plan.changes[0]!;
    expect(change.site).toBe('east');
    if (!('command' in change)) throw new Error('a command');
    expect(change.command.argv).toEqual([
      '/opt/east/bin/hadoop',
      'distcp',
      `-Dmapreduce.job.name=hbackup sync-users 20261125T0200Z west:/user`,
      `-Dmapreduce.job.tags=hbackup,hbackup-sync-users,${targetTag('west', '/user')}`,
      '-update',
      PRESERVE,
      '-m',
      '8',
      `${east.fs}/user`,
      `${west.fs}/user`,
    ]);
    const pruned = await planContents(primary, secondary, ['/user'], { ...opts, prune: true });
    // carol and her file count too now: the copy removes them.
    expect(pruned.differing).toEqual([{ root: '/user', entries: 4, example: '/user/bob' }]);
    expect((pruned.changes[0] as { command: { argv: string[] } }).command.argv).toContain('-delete');
  });

  it('sees a file of the same size but another modification time, and plans nothing when the trees match', async () => {
    const { east, west, primary, secondary } = sites();
    east.write('/user/alice/a.txt', 'a');
    west.write('/user/alice/a.txt', 'a');
    expect((await planContents(primary, secondary, ['/user'], opts)).changes).toEqual([]);
    const p = { rel: 'a', left: { type: 'FILE', length: 1, modificationTime: 1 }, right: { type: 'FILE', length: 1, modificationTime: 2 } };
    expect(differs(p as never, false)).toBe(true);
    expect(differs({ ...p, right: { ...p.right, modificationTime: 1 } } as never, false)).toBe(false);
    // Directories' times change with what they hold: not a difference.
    const d = {
      rel: 'd',
      left: { type: 'DIRECTORY', length: 0, modificationTime: 1 },
      right: { type: 'DIRECTORY', length: 0, modificationTime: 9 },
    };
    expect(differs(d as never, false)).toBe(false);
    expect(differs({ rel: 'x', right: p.right } as never, false)).toBe(false);
    expect(differs({ rel: 'x', right: p.right } as never, true)).toBe(true);
  });

  it('counts every entry of a home root the secondary lacks', async () => {
    const { east, primary, secondary } = sites();
    east.write('/user/alice/a.txt', 'a');
    east.write('/user/alice/sub/b.txt', 'b');
    const plan = await planContents(primary, secondary, ['/user'], opts);
    expect(plan.differing).toEqual([{ root: '/user', entries: 4 }]);
  });
});
