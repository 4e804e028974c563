// What sync-users asks of WebHDFS to make an entry on the secondary like the primary's: pure, from
// what each side holds (owner, group, permission, ACL, quotas).
import { describe, expect, it } from 'vitest';
import { type Attributes, aclSpec, attributeChanges, attributesOf, quotaChanges, usersOf } from '../../src/users/attributes.js';
import { parseGrants, planGrants } from '../../src/users/grants.js';

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
