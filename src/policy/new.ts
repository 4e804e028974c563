/**
 * `policy new`: a valid, commented policy file from what the administrator gives — flags, or
 * answers on a terminal — checked against the schema, and online against the primary (with the
 * exact command that allows snapshots where they are missing).
 */
import path from 'node:path';
import { parseYaml, validate } from '../config/located.js';
import { PolicySchema } from '../config/schema.js';
import { ConfigError } from '../errors.js';

export interface PolicyAnswers {
  service: string;
  hdfs: string[];
  hbase: string[];
  schedule: string | undefined;
  /** The clusters file, as the policy will name it (relative to the policy file). */
  clusters: string | undefined;
}

const yamlString = (s: string) => JSON.stringify(s);

/** The policy file's text: every key explained where an administrator will read it. */
export function policyText(a: PolicyAnswers, now: Date): string {
  const lines = [
    `# Service ${a.service}: its data sets, captured together at each moment and kept as restore points`,
    `# on the secondary. Written by \`hbackup policy new\` on ${now.toISOString().slice(0, 10)}; check it with`,
    '#   hbackup validate --online <this file>',
    `service: ${a.service}`,
  ];
  if (a.clusters)
    lines.push(`clusters: ${yamlString(a.clusters)}   # the clusters file, relative to this one (or --clusters, $HBACKUP_CLUSTERS)`);
  if (a.schedule)
    lines.push(`schedule: ${yamlString(a.schedule)}   # cron, UTC: when the moments are; \`hbackup run-due\` starts what is due`);
  else lines.push('# schedule: "0 2 * * *"        # cron, UTC; without it the service is backed up on demand only');
  lines.push('datasets:');
  for (const d of a.hdfs) lines.push(`  - hdfs: ${yamlString(d)}   # a snapshottable directory on the primary`);
  for (const t of a.hbase) lines.push(`  - hbase: ${yamlString(t)}   # an HBase table on the primary (namespace:table)`);
  lines.push(
    'copy:',
    '  initiator: primary     # primary: its tools push the copies; secondary: its tools pull them',
    '  mappers: 8             # DistCp / ExportSnapshot maps',
    '  # bandwidthMBps: 100   # per map',
    'retention:',
    '  primary: 3             # snapshots kept on the primary',
    '  secondary: 14          # restore points kept on the secondary',
    'verify:',
    "  checksums: false       # true: also compare every file's checksum",
    'syncUsers: false         # true: after each backup, mirror home directories, ACLs, quotas and HBase grants',
    '# hooks:                 # pause the writers just around the snapshots (argument lists, run on this host)',
    '#   beforeSnapshot: [[/opt/app/bin/ingest, pause]]',
    '#   afterSnapshot: [[/opt/app/bin/ingest, resume]]',
    '',
  );
  return lines.join('\n');
}

/** Check the text as `validate` would (schema and located messages), before it is written. */
export function checkPolicyText(file: string, text: string): void {
  const { located, problems } = parseYaml(file, text);
  if (problems.length) throw new ConfigError(problems);
  const { problems: schemaProblems } = validate(located, PolicySchema);
  if (schemaProblems.length) throw new ConfigError(schemaProblems);
}

/** How the policy file names its clusters file: relative to the policy's directory. */
export const clustersRef = (policyFile: string, clustersFile: string): string => {
  const rel = path.relative(path.dirname(path.resolve(policyFile)), path.resolve(clustersFile));
  return rel.startsWith('.') ? rel : `./${rel}`;
};
