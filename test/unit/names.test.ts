import { describe, expect, it } from 'vitest';
import { displayCommand, effectiveArgv, shellQuote, stdinPrefix } from '../../src/exec/runner.js';
import { isoMoment, momentOf, momentStamp, parseStamp, snapshotName, stampOfSnapshot } from '../../src/names/names.js';

describe('names of a moment', () => {
  it('stamps a moment in UTC to the second and reads it back', () => {
    const m = momentOf(new Date('2026-11-25T02:00:07.891Z'));
    expect(momentStamp(m)).toBe('20261125T020007Z');
    expect(parseStamp('20261125T020007Z').toISOString()).toBe('2026-11-25T02:00:07.000Z');
    expect(snapshotName('orders', '20261125T020007Z')).toBe('hb-orders-20261125T020007Z');
    expect(isoMoment('20261125T020007Z')).toBe('2026-11-25T02:00:07Z');
  });

  it("recognises only its own service's snapshots", () => {
    expect(stampOfSnapshot('orders', 'hb-orders-20261125T020007Z')).toBe('20261125T020007Z');
    expect(stampOfSnapshot('orders', 'hb-orders-eu-20261125T020007Z')).toBeUndefined();
    expect(stampOfSnapshot('orders', 's1')).toBeUndefined();
  });
});

describe('commands as argument arrays', () => {
  it('quotes for a remote shell only where needed', () => {
    expect(shellQuote('/data/orders')).toBe('/data/orders');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
  });

  it('never prints the values of a cluster environment, locally or through ssh', () => {
    const cmd = { argv: ['hadoop', 'distcp'], env: { HADOOP_CREDSTORE_PASSWORD: 's3cret' }, secretEnv: true };
    expect(displayCommand(cmd)).toBe("HADOOP_CREDSTORE_PASSWORD='***' hadoop distcp");
    expect(displayCommand({ ...cmd, ssh: 'ops@edge' })).not.toContain('s3cret');
    expect(displayCommand({ ...cmd, ssh: 'ops@edge' })).toContain('HADOOP_CREDSTORE_PASSWORD=');
  });

  it('runs through ssh with each argument quoted, the environment on standard input, never on a command line', () => {
    const cmd = { argv: ['hadoop', 'distcp', '/a b'], env: { HADOOP_CONF_DIR: '/etc/h c' }, ssh: 'ops@edge' };
    expect(effectiveArgv(cmd)).toEqual([
      'ssh',
      '-o',
      'BatchMode=yes',
      'ops@edge',
      '--',
      `sh -c 'while IFS= read -r hbackup_v && [ -n "$hbackup_v" ]; do export "$hbackup_v"; done; exec "$@"' hbackup hadoop distcp '/a b'`,
    ]);
    expect(stdinPrefix(cmd)).toBe('HADOOP_CONF_DIR=/etc/h c\n\n');
    expect(stdinPrefix({ ...cmd, ssh: undefined })).toBe('');
    expect(effectiveArgv({ ...cmd, env: {} }).at(-1)).toBe(`hadoop distcp '/a b'`);
    expect(effectiveArgv({ ...cmd, sshOptions: ['-p', '2222'] }).slice(0, 6)).toEqual([
      'ssh',
      '-o',
      'BatchMode=yes',
      '-p',
      '2222',
      'ops@edge',
    ]);
    expect(effectiveArgv({ argv: ['hdfs', 'dfs'] })).toEqual(['hdfs', 'dfs']);
    expect(displayCommand({ argv: ['hdfs', 'dfs', '-ls', '/a b'] })).toBe(`hdfs dfs -ls '/a b'`);
  });

  it('runs through a container prefix with the argv as it is, the environment on standard input', () => {
    const prefix = ['docker', 'exec', '-i', 'namenode'];
    const cmd = { argv: ['hadoop', 'distcp', "/a b's", '$(x)'], env: { HADOOP_CONF_DIR: '/etc/h c' }, prefix, secretEnv: true };
    // docker exec and kubectl exec pass their argv on without a shell: nothing is quoted.
    expect(effectiveArgv(cmd)).toEqual([...prefix, 'sh', '-c', expect.stringContaining('read -r hbackup_v'), 'hbackup', ...cmd.argv]);
    expect(stdinPrefix(cmd)).toBe('HADOOP_CONF_DIR=/etc/h c\n\n');
    expect(effectiveArgv({ argv: ['hdfs', 'dfs', '-ls', '/a b'], prefix })).toEqual([...prefix, 'hdfs', 'dfs', '-ls', '/a b']);
    expect(displayCommand(cmd)).not.toContain('/etc/h c');
    expect(displayCommand(cmd)).toMatch(
      /^docker exec -i namenode sh -c .* hadoop distcp '\/a b'\\''s' '\$\(x\)' \(environment on stdin: HADOOP_CONF_DIR='\*\*\*'\)$/,
    );
    // Through ssh to the container's host: the prefix is quoted with the rest, for the remote shell.
    const both = effectiveArgv({ argv: ['hdfs', 'dfs', '-ls', '/a b'], prefix, ssh: 'ops@dockerhost' });
    expect(both.slice(0, 5)).toEqual(['ssh', '-o', 'BatchMode=yes', 'ops@dockerhost', '--']);
    expect(both.at(-1)).toBe(`docker exec -i namenode hdfs dfs -ls '/a b'`);
  });
});

describe('clock skew from an HTTP Date header', async () => {
  const { clockSkewMs } = await import('../../src/sites/checks.js');
  it("is nothing when the server's whole second contains our time", () => {
    expect(clockSkewMs(1_000_200, 1_000_400, 1_000_000)).toBe(0);
  });
  it("is the distance beyond the header's precision and the round trip", () => {
    expect(clockSkewMs(1_000_200, 1_000_400, 1_040_000)).toBe(39_600);
    expect(clockSkewMs(1_000_200, 1_000_400, 960_000)).toBe(39_200);
  });
});

describe('tools that cannot be run', async () => {
  const { missingTool } = await import('../../src/sites/checks.js');
  const cluster = (hadoop: string, extra = {}) =>
    ({
      name: 'east',
      role: 'primary',
      webhdfs: 'http://nn',
      fs: 'hdfs://east',
      user: 'hdfs',
      tools: { hadoop, hdfs: 'hdfs', hbase: 'hbase', env: {}, ...extra },
    }) as Parameters<typeof missingTool>[0];
  it('finds a tool by path or on PATH', () => {
    expect(missingTool(cluster('/bin/sh'), 'hadoop')).toBeUndefined();
    expect(missingTool(cluster('sh'), 'hadoop', { PATH: '/usr/bin:/bin' })).toBeUndefined();
  });
  it('says what to set when it is missing, and leaves ssh tools to the edge node', () => {
    expect(missingTool(cluster('/opt/none/hadoop'), 'hadoop')).toBe(
      "east's hadoop (/opt/none/hadoop) cannot be run from this host: set clusters.east.tools.hadoop to its path, or tools.ssh to run it on an edge node",
    );
    expect(missingTool(cluster('/opt/none/hadoop', { ssh: 'ops@edge' }), 'hadoop')).toBeUndefined();
    // Behind a prefix the tool is in the container; the prefix's own program must be here.
    expect(missingTool(cluster('/opt/none/hadoop', { prefix: ['sh', '-c'] }), 'hadoop')).toBeUndefined();
    expect(missingTool(cluster('hadoop', { prefix: ['/opt/none/docker', 'exec', '-i', 'nn'] }), 'hadoop')).toBe(
      "east's tools.prefix program (/opt/none/docker) cannot be run from this host: install it or give its path",
    );
  });
});
