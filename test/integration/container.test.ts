// Clusters as containers show them: the tools run through an argv prefix (as `docker exec -i nn` or
// `kubectl exec -i pod --` would run them). There is no Docker engine here, so the prefix is a real
// program with the property that matters: `env -i` runs the argv as it is, without a shell, in an
// environment of its own — the cluster's settings can only arrive on standard input.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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

const id = runId();

describe('tools in a container', () => {
  it("runs the primary's tools through a prefix: names with quotes and spaces intact, the environment on stdin only", async () => {
    await ensureSandboxUp();
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const here = tmpDir('container');
    const marker = path.join(here, 'ran');
    const wrapper = path.join(here, 'hadoop');
    // Proves where it ran: the cluster's variable is there, this process's own (HOME) is not.
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nprintf '%s|%s\\n' "$CONTAINER_MARK" "\${HOME:-no home}" >> "${marker}"\nexec ${east.binDir}/hadoop "$@"\n`,
    );
    fs.chmodSync(wrapper, 0o755);
    const java = fs.realpathSync(execFileSync('sh', ['-c', 'command -v java']).toString().trim());
    const prefix = ['env', '-i', `PATH=${path.dirname(java)}:/usr/bin:/bin`];
    const clusters = path.join(tmpDir('container-clusters'), 'clusters.yaml');
    fs.writeFileSync(
      clusters,
      stringify({
        clusters: {
          east: {
            ...sandbox.clusters.east,
            tools: { ...sandbox.clusters.east!.tools, hadoop: wrapper, prefix, env: { CONTAINER_MARK: "it's the container" } },
          },
          west: sandbox.clusters.west,
        },
      }),
    );
    const dir = `/it/container-${id}/it's a "dir" $(x)`;
    await putTree(east, dir, { 'a file.txt': 'through a prefix', "b's.txt": 'quoted' });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `container-${id}`, datasets: [{ hdfs: dir }] });

    const dry = await hbackup(['backup', policy, '--dry-run', '--clusters', clusters]);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    // The plan shows the prefix and the environment's name, never its value.
    expect(String(dry.stdout)).toMatch(/env -i PATH=\S+ sh -c .* distcp .*\(environment on stdin: CONTAINER_MARK='\*\*\*'\)/);
    expect(String(dry.stdout)).not.toContain("it's the container");

    const r = await hbackup(['backup', policy, '--json', '--verbose', '--clusters', clusters]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toContain('run: env -i');
    expect(String(r.stderr) + String(r.stdout)).not.toContain("it's the container");
    expect(fs.readFileSync(marker, 'utf8').trim().split('\n')).toContain("it's the container|no home");
    const report = jsonLines(String(r.stdout))[0]!;
    expect(report.result).toBe('ok');
    const name = report.restorePoint as string;
    expect(await tree(west, `${dir}/.snapshot/${name}`)).toEqual(await tree(east, `${dir}/.snapshot/${name}`));
  });
});
