// A corpus of hostile input, run through the whole CLI in-process: broken and malicious policy and
// clusters files, odd files, bad command lines. Each case must end with the documented exit code,
// short located lines, no stack trace, no secret in any output, and not one request to a cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { world } from '../fakes/world.js';

const SECRET = 'hunter2-s3cr3t';

const CLUSTERS = {
  clusters: {
    east: { role: 'primary', webhdfs: 'http://east-nn:9870', fs: 'hdfs://east' },
    west: { role: 'secondary', webhdfs: 'http://west-nn:9870', fs: 'hdfs://west' },
  },
};
const POLICY = 'service: orders\nclusters: ./clusters.yaml\ndatasets:\n  - hdfs: /data/orders\n';

/** A policy with one line changed or added. */
const policy = (extra: string, datasets = '  - hdfs: /data/orders\n') =>
  `service: orders\nclusters: ./clusters.yaml\n${extra}datasets:\n${datasets}`;
const clusters = (patch: (c: any) => void) => {
  const c = structuredClone(CLUSTERS) as any;
  patch(c);
  return stringify(c);
};

const POLICY_CASES: [string, string][] = [
  ...['', 'A', '1abc', 'a'.repeat(64), 'a_b', '-a', 'a b', 'ordérs', '__proto__', 'x/y'].map(
    (s) =>
      [`service ${JSON.stringify(s)}`, `service: ${JSON.stringify(s)}\nclusters: ./clusters.yaml\ndatasets:\n  - hdfs: /a\n`] as [
        string,
        string,
      ],
  ),
  ...[
    'data',
    '/a//b',
    '/a/./b',
    '/a/../b',
    '/a/',
    '/',
    '/.hbackup',
    '/.hbackup/catalog',
    '/a/.snapshot/x',
    '/a\nb',
    '/a\u0000b',
    '/a\u0007b',
    '/a:b',
    '/a\u202eb',
    '/a\u2066b',
    '',
    `/${'a'.repeat(100_000)}`,
    `/${'b'.repeat(256)}`,
    `/${'é'.repeat(128)}`,
    `/${'c/'.repeat(4100)}d`,
  ].map((p) => [`directory ${JSON.stringify(p).slice(0, 40)}`, policy('', `  - hdfs: ${JSON.stringify(p)}\n`)] as [string, string]),
  ...['/', '/.hbackup', '/.hbackup/x', 'rel', '/t/'].map(
    (p) => [`target ${JSON.stringify(p)}`, policy('', `  - hdfs: /a\n    target: ${JSON.stringify(p)}\n`)] as [string, string],
  ),
  ...['hbase:meta', 'a b', ':t', 'ns:', 't/x', 'ns:t:u', '', '.t', 'ns:-t'].map(
    (t) => [`table ${JSON.stringify(t)}`, policy('', `  - hbase: ${JSON.stringify(t)}\n`)] as [string, string],
  ),
  ['a data set naming both', policy('', '  - hdfs: /a\n    hbase: t\n')],
  ['a data set naming neither', policy('', '  - target: /a\n')],
  ['no data sets', policy('', '')],
  ['datasets not a list', 'service: s\nclusters: ./clusters.yaml\ndatasets: /a\n'],
  ['a directory twice', policy('', '  - hdfs: /a\n  - hdfs: /a\n')],
  ['nested directories', policy('', '  - hdfs: /a\n  - hdfs: /a/b\n')],
  ['two data sets onto one target', policy('', '  - hdfs: /a\n    target: /t\n  - hdfs: /b\n    target: /t\n')],
  ...['', '* * *', '61 * * * *', '0 0 31 2 *', 'abc', '0 25 * * *', '* * * * * *', '0 0 30 2 *', '@every'].map(
    (c) => [`schedule ${JSON.stringify(c)}`, policy(`schedule: ${JSON.stringify(c)}\n`)] as [string, string],
  ),
  ...[
    'initiator: nobody',
    'mappers: 0',
    'mappers: 1001',
    'mappers: 1.5',
    'mappers: -1',
    'mappers: x',
    'bandwidthMBps: 0',
    'bandwidthMBps: -1',
    'bandwidthMBps: 1e-300',
    'parallel: 0',
    'parallel: 33',
  ].map((c) => [`copy ${c}`, policy(`copy: {${c}}\n`)] as [string, string]),
  ...['primary: 0', 'secondary: -1', 'primary: x', 'secondary: 1.5', 'keep: 3'].map(
    (c) => [`retention ${c}`, policy(`retention: {${c}}\n`)] as [string, string],
  ),
  ...[
    'beforeSnapshot: [[]]',
    'beforeSnapshot: [[""]]',
    'afterSnapshot: ["/bin/resume --now"]',
    'afterSnapshot: [[1]]',
    'beforeSnapshot: [["/bin/a"]], timeoutSeconds: 0',
    'beforeSnapshot: [["/bin/a"]], timeoutSeconds: 1e308',
    'beforeSnapshot: [["/bin/a"]], timeoutSeconds: 2160000',
    'beforeSnapshot: [["/bin/a"]], timeoutSeconds: -5',
    'during: [["/bin/a"]]',
  ].map((c) => [`hooks ${c}`, policy(`hooks: {${c}}\n`)] as [string, string]),
  ['an unknown key', policy('servce: x\n')],
  ['an unknown key in a data set', policy('', '  - hdfs: /a\n    hfds: /b\n')],
  ['verify.checksums not a boolean', policy('verify: {checksums: sometimes}\n')],
  ['sites naming one cluster twice', policy('sites: [east, east]\n')],
  ['sites naming an unknown cluster', policy('sites: [east, north]\n')],
  ['sites naming a prototype key', policy('sites: [east, constructor]\n')],
  ['sites naming __proto__', policy('sites: [east, __proto__]\n')],
  ['YAML: unclosed bracket', 'service: orders\ndatasets: [\n'],
  ['YAML: a tab for indentation', 'service: orders\ndatasets:\n\t- hdfs: /a\n'],
  ['YAML: a duplicate key', `${POLICY}service: other\n`],
  ['YAML: an alias with no anchor', 'service: *nope\nclusters: ./clusters.yaml\ndatasets:\n  - hdfs: /a\n'],
  [
    'YAML: a billion laughs',
    `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [${Array(9).fill('*a').join(',')}]\nc: &c [${Array(9).fill('*b').join(',')}]\nd: &d [${Array(9).fill('*c').join(',')}]\n${POLICY}`,
  ],
  ['YAML: one anchor reused 101 times', `x: &x /a\ny: [${Array(101).fill('*x').join(',')}]\n${POLICY}`],
  ['YAML: a list at the top', '- service: orders\n'],
  ['YAML: a scalar at the top', 'orders\n'],
  ['YAML: an empty file', ''],
  ['YAML: only a comment', '# nothing here\n'],
  ['YAML: binary garbage', '\u0000\u0001\u0002\u00ff\ufffe'],
  ['YAML: a custom tag', 'service: !!js/function "function(){}"\nclusters: ./clusters.yaml\ndatasets:\n  - hdfs: /a\n'],
  ['YAML: a document stream', `${POLICY}---\n${POLICY}`],
];

const CLUSTER_CASES: [string, string][] = [
  ...[
    'nn:9870',
    'ftp://nn:9870',
    `http://admin:${SECRET}@nn:9870`,
    `http://${SECRET}@nn:9870`,
    'http://nn:99999',
    'http://nn:0',
    'http://nn:9870/webhdfs',
    'http://nn:9870?op=x',
    'http://nn:9870#frag',
    'http://nn\\evil:9870',
    'http://',
    'http://nn 1:9870',
    '',
  ].map((u) => [`webhdfs ${JSON.stringify(u)}`, clusters((c) => (c.clusters.east.webhdfs = u))] as [string, string]),
  ...['nn:8020', 'file:///tmp', `hdfs://u:${SECRET}@nn`, 'hdfs://nn/path', 'hdfs://nn:70000', 's3a://bucket', ''].map(
    (u) => [`fs ${JSON.stringify(u)}`, clusters((c) => (c.clusters.east.fs = u))] as [string, string],
  ),
  ...['1east', 'a b', '__proto__', 'ea.st', '-x', ''].map(
    (n) =>
      [
        `cluster name ${JSON.stringify(n)}`,
        clusters((c) => {
          c.clusters[n] = c.clusters.west;
          delete c.clusters.west;
        }),
      ] as [string, string],
  ),
  ['webhdfs a number', clusters((c) => (c.clusters.east.webhdfs = 5))],
  ['webhdfs an empty list', clusters((c) => (c.clusters.east.webhdfs = []))],
  ['role "tertiary"', clusters((c) => (c.clusters.east.role = 'tertiary'))],
  ['one cluster only', clusters((c) => delete c.clusters.west)],
  ['no clusters', 'clusters: {}\n'],
  ['clusters a list', 'clusters: [east, west]\n'],
  ['user empty', clusters((c) => (c.clusters.east.user = ''))],
  ...['X; touch /tmp/p; Y', '1X', 'A-B', '', 'A B', 'A=B', '$(id)'].map(
    (k) => [`tools.env key ${JSON.stringify(k)}`, clusters((c) => (c.clusters.east.tools = { env: { [k]: SECRET } }))] as [string, string],
  ),
  ['tools.env value not a string', clusters((c) => (c.clusters.east.tools = { env: { PASS: { nested: SECRET } } }))],
  ...['-oProxyCommand=touch /tmp/p', 'a b', 'user@', '@host', 'host;rm -rf /', 'host\nother', '', '-l root host'].map(
    (d) => [`tools.ssh ${JSON.stringify(d)}`, clusters((c) => (c.clusters.east.tools = { ssh: d }))] as [string, string],
  ),
  ['tools.sshOptions not a list', clusters((c) => (c.clusters.east.tools = { sshOptions: '-p 22' }))],
  ['tools.hadoop empty', clusters((c) => (c.clusters.east.tools = { hadoop: '' }))],
  ['tools.hadoop an option', clusters((c) => (c.clusters.east.tools = { hadoop: '-rf' }))],
  ['tools.hbase an option', clusters((c) => (c.clusters.east.tools = { hbase: '--config=/x' }))],
  ['tools.prefix an option', clusters((c) => (c.clusters.east.tools = { prefix: ['-i', 'nn'] }))],
  ['a hook that is an option', clusters((c) => (c.clusters.east.hooks = { fence: [['-rf', '/']] }))],
  ['an unknown tool', clusters((c) => (c.clusters.east.tools = { pig: '/usr/bin/pig' }))],
  ['hbase.rootdir not a URI', clusters((c) => (c.clusters.east.hbase = { rootdir: '/hbase' }))],
  ['hbase.masterInfo with a path', clusters((c) => (c.clusters.east.hbase = { masterInfo: 'http://m:16010/jmx' }))],
  ['fence hook empty', clusters((c) => (c.clusters.east.hooks = { fence: [[]] }))],
  ['onPromote hook an empty program', clusters((c) => (c.clusters.east.hooks = { onPromote: [['', 'x']] }))],
  ['hooks timeout of 25 days', clusters((c) => (c.clusters.east.hooks = { fence: [['/bin/a']], timeoutSeconds: 2_160_000 }))],
  ['an unknown cluster key', clusters((c) => (c.clusters.east.krb5 = true))],
  ['tools.prefix with a line break', clusters((c) => (c.clusters.east.tools = { prefix: ['docker', 'exec\n-i', 'nn'] }))],
  ['tools.prefix empty', clusters((c) => (c.clusters.east.tools = { prefix: [] }))],
  ['kerberos keytab without its principal', clusters((c) => (c.clusters.east.kerberos = { keytab: '/etc/k.keytab' }))],
  ['kerberos keytab and ticket cache', clusters((c) => (c.clusters.east.kerberos = { principal: 'a@B', keytab: '/k', ticketCache: '/c' }))],
  ['kerberos a relative keytab', clusters((c) => (c.clusters.east.kerberos = { principal: 'a@B', keytab: 'k.keytab' }))],
  ['tls.ca relative', clusters((c) => (c.clusters.east.tls = { ca: 'ca.pem' }))],
  ['dataNodes a URL', clusters((c) => (c.clusters.east.dataNodes = { 'http://dn:9864': 'localhost:9864' }))],
  ['dataNodes without a port', clusters((c) => (c.clusters.east.dataNodes = { dn1: 'localhost' }))],
];

/** Run hbackup on the files; count every request that would reach a cluster. */
async function run(files: Record<string, string>, args: (dir: string) => string[]) {
  const w = world();
  const dir = fs.mkdtempSync(path.join(w.dir, 'in-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  let requests = 0;
  const fetch = async (input: string, init?: RequestInit) => {
    requests++;
    return w.hadoop.fetch(input, init);
  };
  const before = fs.readdirSync(dir).sort();
  const r = await w.cli(...args(dir), { fetch });
  // Nothing changed on disk: no state (locks) written, no file added beside the input.
  const changed = fs.existsSync(w.stateDir) || fs.readdirSync(dir).sort().join() !== before.join();
  return { ...r, requests, changed, output: `${r.stdout}\n${r.stderr}` };
}

/** What every hostile case must hold to: its exit code, a short message, no stack, no secret, nothing sent. */
function expectClean(r: Awaited<ReturnType<typeof run>>, code: number) {
  expect(r.code, r.output).toBe(code);
  expect(r.output).not.toMatch(/\n\s+at \S+ \(|This is a bug|TypeError|ReferenceError|SyntaxError: |Invalid input|Invalid key in record/);
  expect(r.output).not.toContain(SECRET);
  expect(r.requests, r.output).toBe(0);
  expect(r.changed, r.output).toBe(false);
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines.length, r.output).toBeGreaterThan(0);
  for (const l of lines) expect(l.length, l).toBeLessThan(400);
}

describe('hostile input: nothing crashes, nothing leaks, nothing is sent', () => {
  it.each(POLICY_CASES)('policy: %s', async (_, text) => {
    const r = await run({ 'p.yaml': text, 'clusters.yaml': stringify(CLUSTERS) }, (d) => ['validate', path.join(d, 'p.yaml')]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(/p\.yaml(:\d+:\d+)?: /);
  });

  it.each(CLUSTER_CASES)('clusters file: %s', async (_, text) => {
    const r = await run({ 'p.yaml': POLICY, 'clusters.yaml': text }, (d) => ['backup', '--dry-run', path.join(d, 'p.yaml')]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(/clusters\.yaml(:\d+:\d+)?: /);
  });

  it.each([
    ['webhdfs "http://admin:', 'no user or password in a WebHDFS endpoint'],
    ['tools.env key "X; touch', 'an environment variable name is letters, digits and "_"'],
    ['tools.ssh "-oProxyCommand', 'an ssh destination is host or user@host'],
    ['webhdfs "http://nn:99999"', 'port 99999 does not exist'],
    ['hooks timeout of 25 days', 'at most 86400 seconds'],
    ['tools.prefix with a line break', 'one line: no line breaks or NUL in a prefix argument'],
    ['tools.hadoop an option', 'not an option'],
    ['tools.prefix an option', 'not an option'],
    ['a hook that is an option', 'not an option'],
    ['kerberos keytab without its principal', 'a keytab needs its principal'],
    ['kerberos keytab and ticket cache', 'give either keytab (with principal) or ticketCache'],
    ['dataNodes a URL', 'a DataNode address is host:port'],
  ])('clusters file: %s… says %s', async (name, message) => {
    const [, text] = CLUSTER_CASES.find(([n]) => n.startsWith(name))!;
    const r = await run({ 'p.yaml': POLICY, 'clusters.yaml': text }, (d) => ['validate', path.join(d, 'p.yaml')]);
    expect(r.stderr).toContain(message);
  });

  it.each([
    ['directory "/"', 'not / nor /.hbackup'],
    ['target "/.hbackup/x"', 'not / nor /.hbackup'],
    ['directory "/a:b"', 'no control characters, bidi controls or ":"'],
    ['schedule "0 0 31 2 *"', 'it never fires'],
    ['YAML: an alias with no anchor', 'alias *nope has no anchor &nope before it'],
    ['YAML: one anchor reused 101 times', 'aliases expand more than 100 times'],
    ['YAML: a billion laughs', 'aliases expand more than 100 times'],
    ['hooks beforeSnapshot: [[""]]', 'the program (the first item) is empty'],
    ['copy bandwidthMBps: 1e-300', 'at least 0.001 MB/s per map'],
    ['sites naming a prototype key', 'unknown cluster "constructor"'],
    [`directory "/${'a'.repeat(30)}`, 'at most 8000 characters'],
    [`directory "/${'b'.repeat(30)}`, 'at most 255 bytes'],
    [`directory "/${'é'.repeat(30)}`, 'at most 255 bytes'],
  ])('policy: %s says %s', async (name, message) => {
    const found = POLICY_CASES.find(([n]) => n === name || (name.length > 40 && n.startsWith(name.slice(0, 40))));
    expect(found, name).toBeDefined();
    const r = await run({ 'p.yaml': found![1], 'clusters.yaml': stringify(CLUSTERS) }, (d) => ['validate', path.join(d, 'p.yaml')]);
    expect(r.stderr).toContain(message);
  });

  it('answers --json with JSON when the input is refused, and calls an unreachable primary a refusal in validate --online as in backup', async () => {
    const r = await run({ 'p.yaml': policy('', '  - hdfs: /\n'), 'clusters.yaml': stringify(CLUSTERS) }, (d) => [
      '--json',
      'backup',
      path.join(d, 'p.yaml'),
    ]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: 'invalid', error: expect.stringContaining('not / nor /.hbackup') });
    const w = world();
    w.east.down = true;
    const file = w.policy({ service: 'svc', datasets: [{ hdfs: '/a' }] });
    const [online, backup] = [await w.cli('validate', '--online', file), await w.cli('backup', file)];
    expect([online.code, backup.code]).toEqual([3, 3]);
  });

  it.each([
    ['a directory', (d: string) => d],
    ['a file that does not exist', (d: string) => path.join(d, 'nope.yaml')],
    ['/dev/zero', () => '/dev/zero'],
    ['/dev/null', () => '/dev/null'],
    [
      'a file of 2 MB',
      () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-huge-')), 'huge.yaml');
        fs.writeFileSync(file, `${POLICY}#${'x'.repeat(2 * 1024 * 1024)}\n`);
        return file;
      },
    ],
  ])('file: %s', async (_, where) => {
    const r = await run({ 'clusters.yaml': stringify(CLUSTERS) }, (d) => ['validate', where(d)]);
    expectClean(r, 2);
  });

  it.each([
    ['an unknown command', ['bakcup']],
    ['an unknown option', ['backup', '--fulll', 'p.yaml']],
    ['backup without a policy', ['backup']],
    ['restore --on middle', ['restore', 'p.yaml', '--on', 'middle']],
    ['restore --suffix with a slash', ['restore', 'p.yaml', '--suffix', 'a/b']],
    ['restore --suffix ..', ['restore', 'p.yaml', '--suffix', '../x']],
    ['restore --suffix empty', ['restore', 'p.yaml', '--suffix', '']],
    ['restore --point that does not exist', ['restore', 'p.yaml', '--point', '19990101T000000Z', '--dry-run']],
    ['status --timeout -1', ['status', '--timeout', '-1']],
    ['status --timeout abc', ['status', '--timeout', 'abc']],
    ['endpoint --format xml', ['endpoint', '--format', 'xml']],
    ['run-due without --policies', ['run-due']],
    ['failover without --policies', ['failover']],
    ['failback without --policies', ['failback', '--yes']],
    ['completion fish', ['completion', 'fish']],
    ['an empty --clusters', ['--clusters', '', 'backup', 'p.yaml']],
    ['a blank --clusters for status', ['--clusters', ' ', 'status']],
    ['the same service twice', ['backup', 'p.yaml', 'p.yaml']],
  ])('command line: %s', async (_, argv) => {
    const r = await run({ 'p.yaml': POLICY, 'clusters.yaml': stringify(CLUSTERS) }, (d) =>
      argv
        .map((a) => (a === 'p.yaml' ? path.join(d, a) : a))
        .concat(argv[0] === 'status' || argv[0] === 'endpoint' ? ['--clusters', path.join(d, 'clusters.yaml')] : []),
    );
    expect(r.code, r.output).toBe(2);
    expect(r.output).not.toMatch(/\n\s+at \S+ \(|This is a bug/);
  });
});
