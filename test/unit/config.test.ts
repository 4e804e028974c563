// Every mistake in a policy is reported as file:line:col with a fix, all at once, exit code 2,
// before anything reaches a cluster.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { loadPolicy, resolvePolicy } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/errors.js';
import { decideRoles } from '../../src/sites/roles.js';
import { CLUSTERS, capture, files } from './helpers.js';

function problemsOf(policyYaml: string, clusters = CLUSTERS): string[] {
  const dir = files({ 'p.yaml': policyYaml, 'clusters.yaml': clusters });
  try {
    decideRoles(resolvePolicy(path.join(dir, 'p.yaml')));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
    throw e;
  }
  return [];
}

const base = (datasets: string, extra = '') => `service: orders\nclusters: ./clusters.yaml\n${extra}datasets:\n${datasets}`;

describe('policy validation', () => {
  it.each([
    ['YAML syntax', 'service: orders\ndatasets: [\n', /^p\.yaml:3:1: YAML syntax: /],
    [
      'an unknown key',
      base('  - hdfs: /a\n', 'retension: {primary: 1}\n'),
      /^p\.yaml:3:1: retension: unknown key; remove it or check its spelling$/,
    ],
    ['a wrong type', base('  - hdfs: /a\n', 'copy: {mappers: many}\n'), /^p\.yaml:3:17: copy\.mappers: expected number, received string$/],
    [
      'an every that is no span',
      base('  - hdfs: /a\n', 'schedule: every 30 seconds\n'),
      /^p\.yaml:3:11: schedule: not a valid schedule: has 3 fields/,
    ],
    [
      'an every too often',
      base('  - hdfs: /a\n', 'schedule: every 2s\n'),
      /^p\.yaml:3:11: schedule: not a valid schedule: at least every 5s$/,
    ],
    [
      'a thinning that keeps too many snapshots',
      base('  - hdfs: /a\n', 'schedule: "* * * * *"\nretention:\n  secondary: {within: 30d, daily: 30}\n'),
      /^p\.yaml:5:14: retention\.secondary: keeps up to 43231 restore points; hbackup keeps at most 10000 per directory \(HDFS allows 65,536 snapshots\): lower the counts or within$/,
    ],
    [
      'a thinning span that is not one',
      base('  - hdfs: /a\n', 'retention: {secondary: {within: 1 hour}}\n'),
      /^p\.yaml:3:33: retention\.secondary\.within: a span: a whole number and s, m, h, d or w, e\.g\. 90m, 1h, 30d$/,
    ],
    ['a missing field', 'clusters: ./clusters.yaml\ndatasets:\n  - hdfs: /a\n', /^p\.yaml:1:1: service: missing; expected string$/],
    [
      'a relative path',
      base('  - hdfs: data/raw\n'),
      /^p\.yaml:4:11: datasets\[0\]\.hdfs: an HDFS path must be absolute, e\.g\. \/data\/orders$/,
    ],
    [
      'a path with ..',
      base('  - hdfs: /data/../raw\n'),
      /^p\.yaml:4:11: datasets\[0\]\.hdfs: write the path normalised: no "\/\/", "\.", "\.\." or trailing "\/"$/,
    ],
    ['a trailing slash', base('  - hdfs: /data/raw/\n'), /datasets\[0\]\.hdfs: write the path normalised/],
    [
      'a duplicate data set',
      base('  - hdfs: /a\n  - hdfs: /b\n  - hdfs: /a\n'),
      /^p\.yaml:6:11: datasets\[2\]\.hdfs: directory \/a is listed twice \(also datasets\[0\]\); list it once$/,
    ],
    [
      'nested data sets',
      base('  - hdfs: /data\n  - hdfs: /data/raw\n'),
      /^p\.yaml:5:11: datasets\[1\]\.hdfs: directory \/data\/raw lies inside datasets\[0\] \(\/data\); HDFS cannot snapshot nested directories/,
    ],
    [
      'nested targets',
      base('  - hdfs: /a\n    target: /t\n  - hdfs: /b\n    target: /t/b\n'),
      /^p\.yaml:7:13: datasets\[1\]\.target: target \/t\/b lies inside datasets\[0\]/,
    ],
    [
      'a bad cron expression',
      base('  - hdfs: /a\n', 'schedule: "61 2 * * *"\n'),
      /^p\.yaml:3:11: schedule: not a valid schedule: .*e\.g\. "0 2 \* \* \*"/,
    ],
    [
      'a cron expression with 6 fields',
      base('  - hdfs: /a\n', 'schedule: "0 0 2 * * *"\n'),
      /schedule: not a valid schedule: has 6 fields; write 5/,
    ],
    [
      'an unknown cluster',
      base('  - hdfs: /a\n', 'sites: [east, north]\n'),
      /^p\.yaml:3:15: sites\[1\]: unknown cluster "north"; .*clusters\.yaml names east, west$/,
    ],
    [
      'an empty hook command',
      base('  - hdfs: /a\n', 'hooks:\n  beforeSnapshot: [[]]\n'),
      /^p\.yaml:4:20: hooks\.beforeSnapshot\[0\]: a command is a non-empty list: \[program, arg, \.\.\.\]$/,
    ],
    [
      'a hook written as a string',
      base('  - hdfs: /a\n', 'hooks:\n  afterSnapshot: ["/opt/resume --now"]\n'),
      /^p\.yaml:4:19: hooks\.afterSnapshot\[0\]: expected array, received string$/,
    ],
    [
      'an HBase table name with a bad character',
      base('  - hbase: orders:ev/ents\n'),
      /datasets\[0\]\.hbase: an HBase table is namespace:table or table/,
    ],
    ['a table of HBase itself', base('  - hbase: hbase:meta\n'), /datasets\[0\]\.hbase: the hbase namespace holds HBase's own tables/],
    [
      'a data set naming both kinds',
      base('  - hdfs: /a\n    hbase: t\n'),
      /datasets\[0\]: name one data set: "hdfs: \/path", "hbase: namespace:table" or "hive: database.table"$/,
    ],
    [
      'a table listed twice (default namespace written out once)',
      base('  - hbase: t\n  - hbase: default:t\n'),
      /datasets\[1\]\.hbase: table default:t is listed twice \(also datasets\[0\]\)/,
    ],
    ['a table target that is a path', base('  - hbase: t\n    target: /x\n'), /datasets\[0\]\.target: an HBase table is namespace:table/],
    ['a Hive table without its database', base('  - hive: orders\n'), /datasets\[0\]\.hive: a Hive table is database\.table/],
    [
      'a Hive table listed twice (Hive names are in lower case)',
      base('  - hive: sales.orders\n  - hive: Sales.Orders\n'),
      /datasets\[1\]\.hive: Hive table sales\.orders is listed twice \(also datasets\[0\]\)/,
    ],
    ['a bad initiator', base('  - hdfs: /a\n', 'copy: {initiator: both}\n'), /copy\.initiator: must be one of "primary", "secondary"$/],
  ])('locates %s', (_what, yaml, expected) => {
    const problems = problemsOf(yaml);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('refuses a password in a Hive JDBC URL, where command lines and logs would show it', () => {
    for (const key of ['password', 'trustStorePassword']) {
      const clusters = `${CLUSTERS}    hive:\n      jdbcUrl: "jdbc:hive2://hs2.west:10000/default;ssl=true;${key}=s3cret"\n`;
      const problems = problemsOf(base('  - hdfs: /a\n'), clusters);
      expect(problems).toEqual([
        'clusters.yaml:11:16: clusters.west.hive.jdbcUrl: no password in the JDBC URL (it would show on command lines and in logs): Beeline authenticates with Kerberos or as the user',
      ]);
      expect(problems.join('')).not.toContain('s3cret');
    }
  });

  it('reports every mistake of a file at once, in file order', () => {
    const problems = problemsOf('service: Orders\nbogus: 1\ndatasets:\n  - hdfs: rel\ncopy: {mappers: 0}\n');
    expect(problems.map((p) => p.split(': ')[0])).toEqual(['p.yaml:1:10', 'p.yaml:2:1', 'p.yaml:4:11', 'p.yaml:5:17']);
  });

  it('checks that the two clusters are one primary and one secondary', () => {
    const problems = problemsOf(base('  - hdfs: /a\n'), CLUSTERS.replace('role: secondary', 'role: primary'));
    expect(problems[0]).toMatch(
      /^clusters\.yaml:3:11: clusters\.east\.role: the service needs one primary and one secondary; east is primary, west is primary$/,
    );
  });

  it('reads a thinning retention, spans in seconds', () => {
    const dir = files({
      'p.yaml': base('  - hdfs: /a\n', 'retention: {secondary: {within: 1h, hourly: 24, daily: 30}}\n'),
      'clusters.yaml': CLUSTERS,
    });
    expect(resolvePolicy(path.join(dir, 'p.yaml')).policy.retention).toEqual({
      primary: 3,
      secondary: { within: 3600, hourly: 24, daily: 30 },
    });
  });

  it('applies defaults a policy leaves out', () => {
    const dir = files({ 'p.yaml': base('  - hdfs: /a\n') });
    const { policy } = loadPolicy(path.join(dir, 'p.yaml'));
    expect(policy.copy).toEqual({ initiator: 'primary', mappers: 8, parallel: 4, direct: { maxFiles: 1000, maxBytes: 64 * 1024 ** 2 } });
    expect(policy.retention).toEqual({ primary: 3, secondary: 14 });
    expect(policy.verify.checksums).toBe(false);
  });

  it('finds the clusters file from --clusters, then HBACKUP_CLUSTERS, then the policy', () => {
    const dir = files({ 'p.yaml': 'service: s\ndatasets:\n  - hdfs: /a\n', 'c.yaml': CLUSTERS });
    expect(() => resolvePolicy(path.join(dir, 'p.yaml'))).toThrow(/no clusters file: pass --clusters FILE, set HBACKUP_CLUSTERS/);
    expect(decideRoles(resolvePolicy(path.join(dir, 'p.yaml'), path.join(dir, 'c.yaml'))).secondary.name).toBe('west');
  });

  it('exits 2 from the command line with the located messages and contacts no cluster', async () => {
    const dir = files({ 'p.yaml': base('  - hdfs: /a/\n  - hdfs: /a/b\n'), 'clusters.yaml': CLUSTERS });
    const out = capture();
    const err = capture();
    let calls = 0;
    const code = await main(['node', 'hbackup', 'backup', path.join(dir, 'p.yaml')], {
      stdout: out.stream,
      stderr: err.stream,
      env: {
        fetch: async () => {
          calls++;
          throw new Error('no network in this test');
        },
      },
    });
    expect(code).toBe(2);
    expect(calls).toBe(0);
    expect(err.text).toContain(`${path.join(dir, 'p.yaml')}:4:11: datasets[0].hdfs: write the path normalised`);
  });
});
