/**
 * `hbackup doctor`: a clusters file checked against the clusters it names, every cluster side by
 * side, each finding one line with its fix; then what the sites' versions mean together. The result
 * is that of the worst finding: ok, warn or fail (exit 0, 1, 2, as `status`).
 */
import path from 'node:path';
import { loadClusters, type ResolvedPolicy } from '../../config/load.js';
import { replicationFindings } from './replication.js';
import { checkSite, type DoctorIo, type Finding, type Level, type SiteFacts } from './site.js';

export interface DoctorReport {
  command: 'doctor';
  result: Level;
  findings: Finding[];
  versions: Record<string, SiteFacts['versions']>;
}

const major = (v: string | undefined) => (v ? Number(v.split('.')[0]) : undefined);
const older = (v: string, than: [number, number]) => {
  const [a = 0, b = 0] = v.split('.').map(Number);
  return a < than[0] || (a === than[0] && b < than[1]);
};

/** What the versions of the sites and their tools mean together. */
export function versionFindings(versions: Record<string, SiteFacts['versions']>): Finding[] {
  const out: Finding[] = [];
  for (const [site, v] of Object.entries(versions)) {
    if (v.namenode && older(v.namenode, [2, 7]))
      out.push({
        site,
        check: 'version',
        level: 'fail',
        text: `Hadoop ${v.namenode} has no DistCp -diff (incremental copies need 2.7 or later)`,
        fix: 'upgrade Hadoop',
      });
    if (v.namenode && v.hadoop && major(v.namenode) !== major(v.hadoop))
      out.push({
        site,
        check: 'version',
        level: 'warn',
        text: `its tools are Hadoop ${v.hadoop}, its NameNode Hadoop ${v.namenode}`,
        fix: `point clusters.${site}.tools at the cluster's own client (same major version)`,
      });
  }
  const sites = Object.entries(versions).filter(([, v]) => v.namenode);
  const majors = new Set(sites.map(([, v]) => major(v.namenode)));
  if (majors.size > 1) {
    out.push({
      site: '*',
      check: 'version',
      level: 'warn',
      text: `the sites run different Hadoop major versions (${sites.map(([s, v]) => `${s} ${v.namenode}`).join(', ')}): DistCp -diff into a Hadoop 2 target, and checksums across versions, are known to disagree`,
      fix: "copy with the newer side's tools (copy.initiator) and back up once with --checksums to see the copy verify",
    });
  }
  return out;
}

const RANK: Record<Level, number> = { ok: 0, warn: 1, fail: 2 };

/** `services`: the policies of --policies, whose replication is checked too. */
export async function doctor(clustersFile: string, io: DoctorIo, services: ResolvedPolicy[] = []): Promise<DoctorReport> {
  const { clusters } = loadClusters(path.resolve(clustersFile));
  const named = Object.entries(clusters.clusters).map(([name, c]) => ({ name, ...c }));
  const [facts, replication] = await Promise.all([Promise.all(named.map((c) => checkSite(c, io))), replicationFindings(services, io)]);
  const versions = Object.fromEntries(named.map((c, i) => [c.name, facts[i]!.versions]));
  const findings = [...facts.flatMap((f) => f.findings), ...versionFindings(versions), ...replication];
  const result = findings.reduce<Level>((worst, f) => (RANK[f.level] > RANK[worst] ? f.level : worst), 'ok');
  return { command: 'doctor', result, findings, versions };
}
