// Clusters as containers show them: the tools run through an argv prefix (as `docker exec -i nn` or
// `kubectl exec -i pod --` would run them). There is no Docker engine here, so the prefix is a real
// program with the property that matters: `env -i` runs the argv as it is, without a shell, in an
// environment of its own — the cluster's settings can only arrive on standard input. And a secondary
// whose DataNode registered under a host name this machine cannot resolve (the sandbox's `box` site),
// reached only once its address is mapped.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startBox, stopOne } from '../cluster/one.js';
import {
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  jsonLines,
  putTree,
  runId,
  type SiteInfo,
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

describe('a DataNode registered under a name this host cannot resolve', () => {
  let box: SiteInfo & { dataNode: string };
  beforeAll(async () => {
    await ensureSandboxUp();
    box = await startBox();
  });
  afterAll(() => stopOne('box'));

  it('fails with the address and the setting to fix it; with the address mapped, backs up verified', async () => {
    expect(box.dataNode).toMatch(/^dn1\.box\.invalid:\d+$/);
    const sandbox = parse(fs.readFileSync(clustersFile, 'utf8')) as { clusters: Record<string, Record<string, any>> };
    const boxCluster = {
      role: 'secondary',
      webhdfs: `http://127.0.0.1:${box.ports.nnHttp}`,
      fs: box.fsUri,
      user: box.user,
      tools: { hadoop: `${box.binDir}/hadoop`, hdfs: `${box.binDir}/hdfs`, hbase: `${box.binDir}/hbase` },
    };
    const write = (extra: Record<string, unknown>) => {
      const file = path.join(tmpDir('box-clusters'), 'clusters.yaml');
      fs.writeFileSync(file, stringify({ clusters: { east: sandbox.clusters.east, box: { ...boxCluster, ...extra } } }));
      return file;
    };
    const dir = `/it/box-${id}/d`;
    await putTree(east, dir, { 'one.txt': 'to a container', 'sub/two.bin': Buffer.alloc(300_000, 3) });
    await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
    const policy = writePolicy({ service: `box-${id}`, datasets: [{ hdfs: dir }] });

    const unmapped = await hbackup(['backup', policy, '--json', '--clusters', write({})]);
    expect(unmapped.exitCode).toBe(1);
    const error = jsonLines(String(unmapped.stdout))[0]!.error as string;
    expect(error).toMatch(
      new RegExp(
        `the DataNode ${box.dataNode.replaceAll('.', '\\.')} that the NameNode named cannot be reached from this host: .*; if this host reaches it under another address .* map it in clusters\\.box\\.dataNodes, e\\.g\\. "${box.dataNode.replaceAll('.', '\\.')}": "localhost:\\d+"`,
      ),
    );
    // One line says it (beside the progress lines), and no stack trace.
    expect(
      String(unmapped.stderr)
        .split('\n')
        .filter((l) => l.includes('error:')),
    ).toHaveLength(1);
    expect(String(unmapped.stderr)).not.toMatch(/\n\s+at /);

    const port = box.dataNode.split(':')[1];
    const mapped = write({ dataNodes: { [box.dataNode]: `127.0.0.1:${port}` } });
    // doctor finds the same, and finds it fixed once mapped.
    const sick = await hbackup(['doctor', '--clusters', write({})]);
    expect(sick.exitCode).toBe(2);
    expect(String(sick.stdout)).toMatch(
      new RegExp(
        `^FAIL box datanode: as \\S+, cannot write a file \\(through a DataNode\\): .*${box.dataNode.replaceAll('.', '\\.')}.*clusters\\.box\\.dataNodes`,
        'm',
      ),
    );
    const well = await hbackup(['doctor', '--clusters', mapped]);
    expect(String(well.stdout)).toContain('ok   box datanode: a DataNode took a file through WebHDFS');
    // box keeps Hadoop's default: its snapshots do not capture open files, and doctor says what to set.
    expect(String(well.stdout)).toMatch(
      /^WARN box open files: snapshots do not capture files still open.*dfs\.namenode\.snapshot\.capture\.openfiles=true/m,
    );
    expect(String(well.stdout)).not.toContain('FAIL');
    const r = await hbackup(['backup', policy, '--json', '--checksums', '--verbose', '--clusters', mapped]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // The catalog entry went to the DataNode by its mapped address; nothing else of the Location changed.
    expect(String(r.stderr)).toMatch(
      new RegExp(
        `DataNode PUT http://127\\.0\\.0\\.1:${port}/webhdfs/v1/\\.hbackup/catalog/box-${id}/_tmp\\.[^ ]+\\?op=CREATE&user\\.name=`,
      ),
    );
    const report = jsonLines(String(r.stdout))[0]!;
    expect(report).toMatchObject({ result: 'ok', datasets: [{ verified: { checksums: true } }] });
    const name = report.restorePoint as string;
    const reached = { ...box, dataNodes: { [box.dataNode]: `127.0.0.1:${port}` } };
    expect(await tree(reached, `${dir}/.snapshot/${name}`)).toEqual(await tree(east, `${dir}/.snapshot/${name}`));
    // Reading the catalog back goes through the DataNode too.
    const list = await hbackup(['list', policy, '--json', '--clusters', mapped]);
    expect(list.exitCode, String(list.stderr)).toBe(0);
    expect(JSON.parse(String(list.stdout)).restorePoints.map((p: { snapshot: string }) => p.snapshot)).toContain(name);
  });
});
