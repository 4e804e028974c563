// The clusters' tools on an edge node, reached with the real ssh client (the server is the test's
// own, on loopback): DistCp runs there, with the cluster's environment, arguments with spaces intact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  putTree,
  runId,
  tmpDir,
  tool,
  tree,
  west,
  writePolicy,
} from './helpers.js';
import { type Sshd, startSshd } from './sshd.js';

const id = runId();
let sshd: Sshd;

describe('tools on an edge node', () => {
  beforeAll(async () => {
    await ensureSandboxUp();
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  it("runs the primary's distcp through ssh, with its environment, names with spaces intact", async () => {
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const marker = path.join(tmpDir('ssh'), 'ran here');
    // A wrapper on the "edge node" that proves it ran there with the cluster's environment.
    const wrapper = path.join(path.dirname(marker), 'hadoop');
    fs.writeFileSync(wrapper, `#!/usr/bin/env bash\necho "$EDGE_MARK" > "${marker}"\nexec ${east.binDir}/hadoop "$@"\n`);
    fs.chmodSync(wrapper, 0o755);
    const clusters = path.join(tmpDir('ssh-clusters'), 'clusters.yaml');
    fs.writeFileSync(
      clusters,
      stringify({
        clusters: {
          east: {
            ...sandbox.clusters.east,
            tools: {
              ...sandbox.clusters.east!.tools,
              hadoop: wrapper,
              ssh: sshd.destination,
              sshOptions: sshd.options,
              env: { EDGE_MARK: "it's the edge node" },
            },
          },
          west: sandbox.clusters.west,
        },
      }),
    );
    const dir = `/it/ssh-${id}/with space`;
    await putTree(east, dir, { 'a file.txt': 'through ssh' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `ssh-${id}`, datasets: [{ hdfs: dir }] });

    const r = await hbackup(['backup', policy, '--json', '--verbose', '--clusters', clusters]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain(`run: ssh -o BatchMode=yes -p ${sshd.port} -i`);
    expect(fs.readFileSync(marker, 'utf8')).toBe("it's the edge node\n");
    // The environment reached the edge node on standard input: its value is on no command line.
    expect(sshd.commands.some((c) => c.includes(`exec "$@"' hbackup ${wrapper} distcp`))).toBe(true);
    expect(sshd.commands.some((c) => c.includes('the edge node'))).toBe(false);
    const name = jsonLines(String(r.stdout))[0]!.restorePoint as string;
    expect(await tree(west, `${dir}/.snapshot/${name}`)).toEqual(await tree(east, `${dir}/.snapshot/${name}`));
  });
});
