/**
 * HBase permissions as sync-users mirrors them: read from each site's `hbase:acl` table (global,
 * namespace, table, column family and qualifier grants) through one `hbase shell -n` session, and
 * the `grant`/`revoke` statements (one session on the secondary) that make the secondary's the
 * primary's. A grant on a table the secondary does not hold as a table is left to the table's
 * snapshots (a restore brings its ACL back: clone_snapshot RESTORE_ACL); a namespace it lacks is
 * created first, so that the namespace's grants are there when its tables are restored.
 */
import { rubyString } from '../../hbase/tables.js';

export interface Grant {
  /** `hbase:acl` (global), `@namespace`, or a table. */
  scope: string;
  /** A user, or `@group`. */
  user: string;
  family?: string;
  qualifier?: string;
  /** R, W, X, C, A. */
  actions: string;
}

export interface SiteGrants {
  /** Authorization is on (the site has an `hbase:acl` table). */
  enabled: boolean;
  grants: Grant[];
  namespaces: Set<string>;
  tables: Set<string>;
}

/** Ruby for `hbase shell -n`: the site's namespaces, tables and every cell of hbase:acl, one marked line each. */
export const READ_GRANTS = `hbackup_conn = org.apache.hadoop.hbase.client.ConnectionFactory.createConnection(@hbase.configuration)
hbackup_admin = hbackup_conn.getAdmin
hbackup_admin.listNamespaceDescriptors.each { |n| puts "hbackup:ns\\t#{n.getName}" }
hbackup_admin.listTableNames.each { |t| puts "hbackup:table\\t#{t.getNameAsString}" }
hbackup_acl = org.apache.hadoop.hbase.TableName.valueOf('hbase:acl')
if hbackup_admin.tableExists(hbackup_acl)
  hbackup_b = org.apache.hadoop.hbase.util.Bytes
  hbackup_cu = org.apache.hadoop.hbase.CellUtil
  hbackup_sc = hbackup_conn.getTable(hbackup_acl).getScanner(org.apache.hadoop.hbase.client.Scan.new)
  hbackup_sc.each { |r| r.rawCells.each { |c| puts "hbackup:acl\\t#{hbackup_b.toStringBinary(hbackup_cu.cloneRow(c))}\\t#{hbackup_b.toStringBinary(hbackup_cu.cloneQualifier(c))}\\t#{hbackup_b.toStringBinary(hbackup_cu.cloneValue(c))}" } }
  hbackup_sc.close
else
  puts 'hbackup:acl-off'
end
hbackup_conn.close
`;

/** What READ_GRANTS printed. */
export function parseGrants(stdout: string): SiteGrants {
  const out: SiteGrants = { enabled: true, grants: [], namespaces: new Set(), tables: new Set() };
  for (const line of stdout.split('\n')) {
    const [mark, ...fields] = line.replace(/\r$/, '').split('\t');
    if (mark === 'hbackup:acl-off') out.enabled = false;
    else if (mark === 'hbackup:ns' && fields[0]) out.namespaces.add(fields[0]);
    else if (mark === 'hbackup:table' && fields[0]) out.tables.add(fields[0]);
    else if (mark === 'hbackup:acl' && fields.length === 3) {
      const [scope, key, actions] = fields as [string, string, string];
      const [user, family, qualifier] = key.split(',');
      if (!user) continue;
      out.grants.push({ scope, user, ...(family ? { family } : {}), ...(qualifier ? { qualifier } : {}), actions });
    }
  }
  return out;
}

const keyOf = (g: Grant) => [g.scope, g.user, g.family ?? '', g.qualifier ?? ''].join('\u0000');

/** Where a grant applies, as the shell names it after the user and the actions. */
function where(g: Grant): string[] {
  if (g.scope === 'hbase:acl') return [];
  return [g.scope, ...(g.family ? [g.family] : []), ...(g.qualifier ? [g.qualifier] : [])];
}

export const grantStatement = (g: Grant): string => `grant ${[g.user, g.actions, ...where(g)].map(rubyString).join(', ')}`;
export const revokeStatement = (g: Grant): string => `revoke ${[g.user, ...where(g)].map(rubyString).join(', ')}`;

/** How a grant reads in a report: `alice RW on @sales`, `bob R on sales:orders cf`. */
export const describeGrant = (g: Grant): string =>
  `${g.user} ${g.actions} on ${g.scope === 'hbase:acl' ? 'everything (global)' : where(g).join(' ')}`;

export interface GrantsPlan {
  statements: string[];
  granted: string[];
  revoked: string[];
  /** Table grants left to the tables' snapshots. */
  withSnapshots: number;
  users: string[];
}

export function planGrants(primary: SiteGrants, secondary: SiteGrants, opts: { prune: boolean }): GrantsPlan {
  const plan: GrantsPlan = { statements: [], granted: [], revoked: [], withSnapshots: 0, users: [] };
  const have = new Map(secondary.grants.map((g) => [keyOf(g), g]));
  const want = new Map(primary.grants.map((g) => [keyOf(g), g]));
  const createNamespaces = new Set<string>();
  for (const g of primary.grants) {
    if (have.get(keyOf(g))?.actions === g.actions) continue;
    if (g.scope.startsWith('@')) {
      if (!secondary.namespaces.has(g.scope.slice(1))) createNamespaces.add(g.scope.slice(1));
    } else if (g.scope !== 'hbase:acl' && !secondary.tables.has(g.scope)) {
      plan.withSnapshots++;
      continue;
    }
    plan.statements.push(grantStatement(g));
    plan.granted.push(describeGrant(g));
    if (!g.user.startsWith('@')) plan.users.push(g.user);
  }
  if (opts.prune) {
    for (const g of secondary.grants) {
      if (want.has(keyOf(g))) continue;
      plan.statements.push(revokeStatement(g));
      plan.revoked.push(describeGrant(g));
    }
  }
  plan.statements.unshift(...[...createNamespaces].sort().map((ns) => `create_namespace ${rubyString(ns)}`));
  return plan;
}
