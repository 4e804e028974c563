/**
 * sync-users: plan → execute → report. The roles come from the identities (a stale pair is refused);
 * the plan mirrors the primary's user data on the secondary (HDFS, then HBase grants); the users it names are looked up with
 * the secondary's own `hdfs groups` (one unknown there is a warning: its Kerberos or LDAP mapping may
 * be missing); `--dry-run` prints the plan and changes nothing.
 */
import path from 'node:path';
import { loadClusters, pairOf, pairServices, type ResolvedPolicy } from '../../config/load.js';
import { look, type Performer, perform, shellChange } from '../../core/change.js';
import type { FlowIo } from '../../core/context.js';
import { openPair, policyFor, siteOf } from '../../core/context.js';
import type { Outcome } from '../../core/outcome.js';
import { runFlow } from '../../core/run.js';
import { specsOf } from '../../datasets/index.js';
import { DISTCP_TAIL } from '../../distcp/distcp.js';
import { causeLine, ToolError } from '../../errors.js';
import { shellError } from '../../hbase/shell.js';
import { momentStamp } from '../../names/names.js';
import { currentRoles } from '../../sites/roles.js';
import type { Site } from '../../sites/site.js';
import { planContents } from './contents.js';
import { parseGrants, planGrants, READ_GRANTS } from './grants.js';
import { placesOf, planUsers } from './plan.js';

/** DistCp's maps for a --contents copy (home directories hold many small files). */
const COPY_MAPPERS = 8;

export interface UsersReport {
  command: 'sync-users';
  result: Outcome;
  dryRun: boolean;
  primary: string | null;
  secondary: string | null;
  places: number;
  created: string[];
  changed: string[];
  removed: string[];
  /** With --contents: the home roots whose files the primary's DistCp pushes, and how many entries differ there. */
  contents?: { root: string; entries: number; example?: string }[];
  /** HBase grants given and taken back on the secondary (`alice RW on @sales`). */
  granted?: string[];
  revoked?: string[];
  /** Every change, in order: planned under --dry-run, made otherwise. */
  changes: { site: string; change: string }[];
  applied: number;
  warnings: string[];
  durationMs: number;
  error?: string;
}

export interface UsersOptions {
  clustersFile: string;
  /** A directory of policies whose HDFS data set roots are mirrored too, or the services themselves (backup's `syncUsers`). */
  policies?: string | ResolvedPolicy[] | undefined;
  prune: boolean;
  dryRun: boolean;
  /** Also push the home directories' files with the primary's DistCp, before the metadata is adjusted. */
  contents: boolean;
}

/** Users the secondary's groups mapping knows nothing of (`hdfs groups` lists no group for them). */
async function unknownUsers(p: Performer, site: Site, users: string[]): Promise<{ unknown: string[]; problem?: string }> {
  if (!users.length) return { unknown: [] };
  const r = await look(p, site.tool('hdfs', ['groups', ...users]));
  if (r.exitCode !== 0) return { unknown: [], problem: `cannot ask ${site.name} which users it knows${causeLine(r.stderr, ': ')}` };
  const known = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+)\s*:\s*(\S.*)?$/.exec(line.trim());
    if (m?.[1] && m[2]?.trim()) known.add(m[1]);
  }
  return { unknown: users.filter((u) => !known.has(u)) };
}

/**
 * HBase grants, when both sites have HBase: each site's read in one shell session (the two side by
 * side), the statements for the secondary in one more.
 */
async function hbaseGrants(p: Performer, primary: Site, secondary: Site, opts: UsersOptions, warn: (t: string) => void) {
  if (!primary.cluster.hbase?.zookeeper || !secondary.cluster.hbase?.zookeeper) return undefined;
  const read = async (site: Site) => {
    const r = await look(p, site.tool('hbase', ['shell', '-n']), { input: READ_GRANTS });
    if (r.exitCode !== 0)
      throw new ToolError(
        [site.cluster.tools.hbase, 'shell'],
        r.exitCode,
        shellError(r.stdout) ?? r.stderr,
        `reading ${site.name}'s HBase grants`,
      );
    return parseGrants(r.stdout);
  };
  const [a, b] = await Promise.all([read(primary), read(secondary)]);
  if (!a.enabled) return undefined;
  if (!b.enabled) {
    warn(
      `HBase authorization is off on ${secondary.name} (no hbase:acl table): its grants cannot be mirrored; turn on the AccessController there`,
    );
    return undefined;
  }
  const plan = planGrants(a, b, { prune: opts.prune });
  if (plan.withSnapshots)
    warn(
      `${plan.withSnapshots} grant(s) on tables ${secondary.name} holds only as snapshots: a restore brings them back with the table (RESTORE_ACL)`,
    );
  const changes = plan.statements.length ? [shellChange(secondary, plan.statements)] : [];
  return { plan, changes };
}

export async function syncUsers(opts: UsersOptions, io: FlowIo): Promise<UsersReport> {
  const report: UsersReport = {
    command: 'sync-users',
    result: 'failed',
    dryRun: opts.dryRun,
    primary: null,
    secondary: null,
    places: 0,
    created: [],
    changed: [],
    removed: [],
    changes: [],
    applied: 0,
    warnings: [],
    durationMs: 0,
  };
  // Bad input (the clusters file, the policies) is refused before anything is read from the clusters.
  const { clusters, located } = loadClusters(path.resolve(opts.clustersFile));
  const warn = (t: string) => report.warnings.push(t);
  const given = Array.isArray(opts.policies) ? opts.policies : undefined;
  const pair = given?.[0]?.pair ?? pairOf(clusters);
  const dir = typeof opts.policies === 'string' ? opts.policies : undefined;
  const services = given ?? (dir ? pairServices(dir, pair, opts.clustersFile, warn) : []);
  return runFlow(report, io, async () => {
    const roles = await currentRoles({ pair, clustersLocated: located }, (c) => siteOf(c, io));
    const performer = openPair(pair, io);
    const [primary, secondary] = [performer.site(roles.primary.name), performer.site(roles.secondary.name)];
    Object.assign(report, { primary: primary.name, secondary: secondary.name });
    const datasets = services.flatMap((rp) => specsOf(policyFor(rp, roles).datasets).filter((d) => d.type === 'hdfs'));
    const found = await placesOf(primary, clusters.users, datasets);
    const contents = opts.contents
      ? await planContents(primary, secondary, found.homeRoots, {
          prune: opts.prune,
          stamp: momentStamp(io.now()),
          mappers: COPY_MAPPERS,
        })
      : undefined;
    const plan = await planUsers(primary, secondary, found, { prune: opts.prune });
    Object.assign(report, { places: found.places.length, created: plan.created, changed: plan.changed, removed: plan.removed });
    report.warnings.push(...plan.warnings);
    if (contents) {
      plan.changes.unshift(...contents.changes);
      report.contents = contents.differing;
    }
    const grants = await hbaseGrants(performer, primary, secondary, opts, warn);
    if (grants) {
      plan.changes.push(...grants.changes);
      plan.users.push(...grants.plan.users.filter((u) => !plan.users.includes(u)));
      Object.assign(report, { granted: grants.plan.granted, revoked: grants.plan.revoked });
    }
    const users = await unknownUsers(performer, secondary, plan.users);
    if (users.problem) warn(users.problem);
    for (const u of users.unknown) {
      warn(`user ${u} is unknown on ${secondary.name} (no groups): check its Kerberos principal or LDAP/Unix account there`);
    }
    report.changes = plan.changes.map((c) => ({ site: c.site, change: c.text }));
    if (opts.dryRun) return 'planned';
    for (const change of plan.changes) {
      await perform(performer, change, { tail: DISTCP_TAIL });
      report.applied++;
    }
    return 'ok';
  });
}
