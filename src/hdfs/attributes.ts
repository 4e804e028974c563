/**
 * What makes an HDFS entry the same for its users on both sides: owner, group, permission (sticky
 * bit included), ACL and default ACL; for a directory that is a place of its own, its quotas. Pure:
 * given what each side holds, the WebHDFS requests that make the secondary's entry like the primary's.
 */
import { type AclStatus, type FileStatus, ops, type QuotaUsage, type WebHdfsRequest } from './requests.js';

/** What one entry holds, as read from one side (`acl` only when it has one). */
export interface Attributes {
  owner: string;
  group: string;
  permission: string;
  acl?: string[];
}

const RWX = ['---', '--x', '-w-', '-wx', 'r--', 'r-x', 'rw-', 'rwx'];
const rwx = (digit: string | undefined) => RWX[Number(digit ?? 0)] ?? '---';

/** Permission as four octal digits ("755" → "0755"), so a sticky bit compares too. */
const perm = (p: string) => p.padStart(4, '0');

export const attributesOf = (st: FileStatus | AclStatus, acl?: AclStatus): Attributes => ({
  owner: st.owner,
  group: st.group,
  permission: perm(st.permission),
  ...(acl?.entries.length ? { acl: [...acl.entries].sort() } : {}),
});

/**
 * The full ACL spec SETACL takes for what GETACLSTATUS said: WebHDFS lists the named entries, the
 * unnamed group entry and the defaults; the owner's, the mask's and the others' come from the
 * permission bits.
 */
export function aclSpec(a: Attributes): string {
  const [u, g, o] = [...a.permission.slice(-3)];
  const entries = a.acl ?? [];
  const access = entries.filter((e) => !e.startsWith('default:'));
  const defaults = entries.filter((e) => e.startsWith('default:'));
  const named = access.some((e) => /^(user|group):[^:]+:/.test(e));
  const spec = [
    `user::${rwx(u)}`,
    ...(access.some((e) => e.startsWith('group::')) ? [] : [`group::${rwx(g)}`]),
    ...access,
    ...(named ? [`mask::${rwx(g)}`] : []),
    `other::${rwx(o)}`,
    ...defaults,
  ];
  return spec.join(',');
}

/** The requests that give the secondary's entry at `path` the primary's attributes (none when alike). */
export function attributeChanges(path: string, want: Attributes, have: Attributes | undefined): WebHdfsRequest[] {
  const out: WebHdfsRequest[] = [];
  if (!have || have.owner !== want.owner || have.group !== want.group) out.push(ops.setOwner(path, want.owner, want.group));
  const aclDiffers = (have?.acl ?? []).join() !== (want.acl ?? []).join();
  if (aclDiffers && !want.acl) {
    // Removing the ACL changes the permission's group bits: the permission is set after it.
    out.push(ops.removeAcl(path), ops.setPermission(path, want.permission));
  } else {
    if (!have || have.permission !== want.permission) out.push(ops.setPermission(path, want.permission));
    if (aclDiffers) out.push(ops.setAcl(path, aclSpec(want)));
  }
  return out;
}

const typeQuotas = (q: QuotaUsage | undefined) =>
  Object.fromEntries(Object.entries(q?.typeQuota ?? {}).map(([type, v]) => [type, v.quota ?? -1]));

/** The requests that give a directory on the secondary the primary's quotas (-1 clears one). */
export function quotaChanges(path: string, want: QuotaUsage, have: QuotaUsage | undefined): WebHdfsRequest[] {
  const out: WebHdfsRequest[] = [];
  const [q, s] = [want.quota ?? -1, want.spaceQuota ?? -1];
  if ((have?.quota ?? -1) !== q || (have?.spaceQuota ?? -1) !== s) out.push(ops.setQuota(path, q, s));
  const [a, b] = [typeQuotas(want), typeQuotas(have)];
  for (const type of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const value = a[type] ?? -1;
    if ((b[type] ?? -1) !== value) out.push(ops.setQuotaByStorageType(path, type, value));
  }
  return out;
}

/** Users named by attributes: owners and the users of named ACL entries. */
export function usersOf(a: Attributes): string[] {
  const named = (a.acl ?? []).map((e) => /^(?:default:)?user:([^:]+):/.exec(e)?.[1]).filter((u): u is string => Boolean(u));
  return [a.owner, ...named];
}
