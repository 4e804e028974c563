/**
 * Loading a policy and its clusters file: parse → schema → rules, every mistake located.
 * Nothing here talks to a cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type ConfigProblem, PreflightError, UsageError } from '../errors.js';
import { type LocatedDoc, parseYaml, problemAt, validate } from './located.js';
import { scheduleProblem } from './schedule.js';
import { type Cluster, type ClustersFile, ClustersFileSchema, type Policy, PolicySchema } from './schema.js';

export interface LoadedPolicy {
  file: string;
  policy: Policy;
  located: LocatedDoc;
}

export interface NamedCluster extends Cluster {
  name: string;
}

/** A policy with the two sites it runs between (which is which is decided when a command runs: sites/roles.ts). */
export interface ResolvedPolicy extends LoadedPolicy {
  clustersFile: string;
  clustersLocated: LocatedDoc;
  pair: [NamedCluster, NamedCluster];
}

/** A policy or clusters file is small: one larger than this is refused before it is read. */
const MAX_FILE_BYTES = 1024 * 1024;

function readText(file: string): string {
  try {
    // Only regular files, of a bounded size: a FIFO would block, /dev/zero would never end.
    const st = fs.statSync(file);
    if (!st.isFile()) throw new UsageError(`${file}: not a regular file; give a policy or clusters file (YAML)`);
    if (st.size > MAX_FILE_BYTES) throw new UsageError(`${file}: ${st.size} bytes; a policy or clusters file is at most 1 MiB`);
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(e)})`);
  }
}

/** `table` → `default:table`: how HBase names a table in full. */
/** A data set seen from the other site: its two sides swapped (a failover turns every data set round). */
export const swapped = <T extends { source: string; target: string }>(d: T): T => ({ ...d, source: d.target, target: d.source });

export const fullTableName = (t: string): string => (t.includes(':') ? t : `default:${t}`);

/** Rules a schema cannot say: duplicates, nesting, cron syntax. */
function policyRules(located: LocatedDoc, policy: Policy): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const checkSet = (kind: 'hdfs' | 'hbase' | 'hive', key: 'source' | 'target', label: string) => {
    const entries = policy.datasets.flatMap((d, i) => {
      const source = kind === 'hdfs' ? d.hdfs : kind === 'hive' ? d.hive : d.hbase && fullTableName(d.hbase);
      if (source === undefined) return [];
      const target =
        d.target === undefined ? source : kind === 'hdfs' ? d.target : kind === 'hive' ? d.target.toLowerCase() : fullTableName(d.target);
      // Targets left to default equal their sources, whose clashes the source check reports already.
      return [{ i, name: key === 'source' ? source : target, explicit: key === 'source' || d.target !== undefined }];
    });
    // Indexed by name, so a policy of many data sets is checked in linear time.
    const first = new Map<string, { any: (typeof entries)[number]; explicit?: (typeof entries)[number] }>();
    for (const e of entries) {
      const seen = first.get(e.name);
      if (!seen) first.set(e.name, { any: e, ...(e.explicit ? { explicit: e } : {}) });
      else if (e.explicit && !seen.explicit) seen.explicit = e;
    }
    const ancestors = (p: string) => {
      const out: string[] = [];
      for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) out.push(p.slice(0, i));
      if (p !== '/') out.push('/');
      return out;
    };
    for (const e of entries) {
      const at = ['datasets', e.i, key === 'target' && e.explicit ? 'target' : kind];
      const seen = first.get(e.name)!;
      const earlier = e.explicit ? seen.any : seen.explicit;
      if (earlier && earlier.i < e.i) {
        problems.push(problemAt(located, at, `${label} ${e.name} is listed twice (also datasets[${earlier.i}]); list it once`));
        continue;
      }
      if (kind !== 'hdfs') continue;
      const parent = ancestors(e.name)
        .map((a) => first.get(a))
        .map((x) => (x ? (e.explicit ? x.any : x.explicit) : undefined))
        .find((x) => x && x.i !== e.i);
      if (parent) {
        problems.push(
          problemAt(
            located,
            at,
            `${label} ${e.name} lies inside datasets[${parent.i}] (${parent.name}); HDFS cannot snapshot nested directories: keep only one of them`,
          ),
        );
      }
    }
  };
  checkSet('hdfs', 'source', 'directory');
  checkSet('hdfs', 'target', 'target');
  checkSet('hbase', 'source', 'table');
  checkSet('hbase', 'target', 'target table');
  checkSet('hive', 'source', 'Hive table');
  checkSet('hive', 'target', 'target Hive table');
  for (const [key, schedule] of [
    [['schedule'], policy.schedule],
    [['drill', 'schedule'], policy.drill.schedule],
  ] as const) {
    const error = schedule === undefined ? undefined : scheduleProblem(schedule);
    if (error) problems.push(problemAt(located, [...key], `not a valid schedule: ${error}`));
  }
  return problems;
}

export function loadPolicy(file: string): LoadedPolicy {
  const { located, problems } = parseYaml(file, readText(file));
  if (problems.length) throw new ConfigError(problems);
  const { value, problems: schemaProblems } = validate(located, PolicySchema);
  if (!value) throw new ConfigError(schemaProblems);
  const ruleProblems = policyRules(located, value);
  if (ruleProblems.length) throw new ConfigError(ruleProblems);
  return { file, policy: value, located };
}

export function loadClusters(file: string): { clusters: ClustersFile; located: LocatedDoc } {
  const { located, problems } = parseYaml(file, readText(file));
  if (problems.length) throw new ConfigError(problems);
  const { value, problems: schemaProblems } = validate(located, ClustersFileSchema);
  if (!value) throw new ConfigError(schemaProblems);
  return { clusters: value, located };
}

/** Where the clusters file is: --clusters, else HBACKUP_CLUSTERS, else the policy's `clusters:` key. */
function clustersFileFor(loaded: LoadedPolicy, flag?: string, env = process.env): string {
  if (flag) return path.resolve(flag);
  if (env.HBACKUP_CLUSTERS) return path.resolve(env.HBACKUP_CLUSTERS);
  if (loaded.policy.clusters) return path.resolve(path.dirname(loaded.file), loaded.policy.clusters);
  throw new UsageError(
    `${loaded.file}: no clusters file: pass --clusters FILE, set HBACKUP_CLUSTERS, or add "clusters: ./clusters.yaml" to the policy`,
  );
}

/** The policy's two sites: its `sites:`, or the clusters file's only two. */
function pairClusters(loaded: LoadedPolicy, clusters: ClustersFile, clustersLocated: LocatedDoc): [NamedCluster, NamedCluster] {
  const names = Object.keys(clusters.clusters);
  const problems: ConfigProblem[] = [];
  let pair: string[];
  if (loaded.policy.sites) {
    pair = loaded.policy.sites;
    pair.forEach((n, i) => {
      if (!Object.hasOwn(clusters.clusters, n)) {
        problems.push(problemAt(loaded.located, ['sites', i], `unknown cluster "${n}"; ${clustersLocated.file} names ${names.join(', ')}`));
      }
    });
    if (pair[0] === pair[1]) problems.push(problemAt(loaded.located, ['sites', 1], 'name two different clusters'));
  } else if (names.length === 2) {
    pair = names;
  } else {
    problems.push(
      problemAt(
        loaded.located,
        [],
        `${clustersLocated.file} names ${names.length} clusters; add "sites: [<primary>, <secondary>]" to the policy`,
      ),
    );
    pair = [];
  }
  if (problems.length) throw new ConfigError(problems);
  const [a, b] = pair.map((n) => ({ name: n, ...clusters.clusters[n]! }));
  return [a!, b!];
}

export function resolvePolicy(file: string, clustersFlag?: string): ResolvedPolicy {
  const loaded = loadPolicy(file);
  const clustersFile = clustersFileFor(loaded, clustersFlag);
  const { clusters, located } = loadClusters(clustersFile);
  return { ...loaded, clustersFile, clustersLocated: located, pair: pairClusters(loaded, clusters, located) };
}

/** The WebHDFS endpoints of a cluster as a list. */
export const webhdfsUrls = (c: Cluster): string[] => (Array.isArray(c.webhdfs) ? c.webhdfs : [c.webhdfs]);
export const resourceManagerUrls = (c: Cluster): string[] =>
  c.yarn ? (Array.isArray(c.yarn.resourceManager) ? c.yarn.resourceManager : [c.yarn.resourceManager]) : [];

/** The policy files of a directory: *.yaml / *.yml, clusters files (clusters*.yaml) left out. */
export function policyFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new UsageError(`--policies ${dir}: cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('clusters'))
    .sort()
    .map((n) => path.join(dir, n));
}

/** The two sites of the clusters file a command without a policy uses: --clusters, else HBACKUP_CLUSTERS. */
export function clustersPair(command: string, flag: string | undefined, env = process.env): [NamedCluster, NamedCluster] {
  const file = flag ?? env.HBACKUP_CLUSTERS;
  if (!file) throw new UsageError(`${command}: give --clusters FILE or set HBACKUP_CLUSTERS`);
  return pairOf(loadClusters(path.resolve(file)).clusters);
}

/** The two sites of a clusters file: its primary and its secondary (the file's roles). */
export function pairOf(clusters: ClustersFile): [NamedCluster, NamedCluster] {
  const named = Object.entries(clusters.clusters).map(([name, c]) => ({ name, ...c }));
  const primary = named.find((c) => c.role === 'primary');
  const secondary = named.find((c) => c.role === 'secondary');
  if (!primary || !secondary) throw new UsageError('the clusters file needs a primary and a secondary');
  return [primary, secondary];
}

/** The policies of a directory whose two sites are this pair; the others are named and left out. */
export function pairServices(dir: string, pair: NamedCluster[], clusters: string | undefined, warn: (t: string) => void): ResolvedPolicy[] {
  const names = pair.map((c) => c.name).sort();
  const out: ResolvedPolicy[] = [];
  for (const file of policyFiles(dir)) {
    const rp = resolvePolicy(file, clusters);
    const its = rp.pair.map((c) => c.name).sort();
    if (its.join() === names.join()) out.push(rp);
    else warn(`${file}: ${rp.policy.service} runs between ${its.join(' and ')}, not ${names.join(' and ')}: left out`);
  }
  if (!out.length) throw new PreflightError([`${dir} holds no policy of a service between ${names.join(' and ')}`]);
  return out;
}
