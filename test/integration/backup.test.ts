// The admin's runbook for HDFS backups, run against the real sandbox: a first full backup, an
// incremental one after changes, a target someone touched, odd file names, two cron starts at
// once, a control host killed mid-copy, retention, and refusals. (Dry runs: dry-run.test.ts.)
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { momentStamp, parseStamp, snapshotName } from '../../src/names/names.js';
import {
  backup,
  bytes,
  clustersFile,
  east,
  ensureSandboxUp,
  hbackup,
  hbackupBin,
  hbackupEnv,
  putTree,
  restorePoints,
  runId,
  snap,
  snapshottable,
  tmpDir,
  tool,
  tree,
  webhdfs,
  west,
  writePolicy,
} from './helpers.js';

const id = runId();

describe('hbackup backup (HDFS)', () => {
  beforeAll(ensureSandboxUp);

  it("copies everything first, then only what changed; the secondary equals the primary's snapshot", async () => {
    const root = `/it/inc-${id}`;
    await snapshottable(`${root}/raw`, {
      'a.txt': bytes(10_000),
      'b.txt': bytes(20_000, 3),
      'olddir/c.txt': bytes(5_000, 5),
      'gone.txt': bytes(3_000),
    });
    await snapshottable(`${root}/wh`, { 'x/y.txt': bytes(4_000, 7) });
    const policy = writePolicy({ service: `inc-${id}`, datasets: [{ hdfs: `${root}/raw` }, { hdfs: `${root}/wh` }] });

    const first = await backup(policy);
    expect(first.r.exitCode, first.stderr).toBe(0);
    expect(first.report).toMatchObject({ result: 'ok', service: `inc-${id}` });
    expect(first.report!.datasets.map((d: { mode: string }) => d.mode)).toEqual(['full', 'full']);
    expect(first.report!.datasets[0].bytesCopied).toBe(38_000);
    expect(first.report!.consistencyWindowMs).toBeGreaterThanOrEqual(0);

    // New, modified, deleted files and a renamed directory.
    const h = webhdfs(east);
    await h.createFile(`${root}/raw/new.txt`, bytes(7_000, 11), true);
    await h.createFile(`${root}/raw/a.txt`, bytes(12_000, 13), true);
    await h.delete(`${root}/raw/gone.txt`);
    await h.rename(`${root}/raw/olddir`, `${root}/raw/newdir`);

    const second = await backup(policy, '--checksums');
    expect(second.r.exitCode, second.stderr).toBe(0);
    const [raw, wh] = second.report!.datasets;
    expect(raw).toMatchObject({ mode: 'incremental', bytesCopied: 19_000, filesCopied: 2 });
    expect(raw.fallbackReason).toBeUndefined();
    // Nothing changed in wh: no DistCp, only its target snapshotted and verified.
    expect(wh).toMatchObject({ mode: 'unchanged', bytesCopied: 0, verified: { files: 1, bytes: 4_000 } });

    const name = second.report!.restorePoint as string;
    for (const dir of [`${root}/raw`, `${root}/wh`]) {
      expect(await tree(west, snap(dir, name))).toEqual(await tree(east, snap(dir, name)));
    }
    const rawTree = await tree(west, snap(`${root}/raw`, name));
    expect(rawTree.map((e) => e.rel)).toEqual(['a.txt', 'b.txt', 'new.txt', 'newdir', 'newdir/c.txt']);
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([first.report!.restorePoint, name]);
  });

  it('rolls a touched target back and stays incremental, listing the files it overwrote, and ends equal', async () => {
    const root = `/it/touched-${id}`;
    await snapshottable(`${root}/d`, { 'keep.txt': bytes(2_000), 'sub/more.txt': bytes(3_000, 2) });
    const policy = writePolicy({ service: `touched-${id}`, datasets: [{ hdfs: `${root}/d` }] });
    const first = await backup(policy);
    expect(first.r.exitCode).toBe(0);

    // Someone adds a file and changes one on the secondary; the primary gets a new file.
    await webhdfs(west).createFile(`${root}/d/intruder.txt`, 'someone wrote on the secondary', true);
    await webhdfs(west).createFile(`${root}/d/keep.txt`, bytes(2_000, 5), true);
    await webhdfs(east).createFile(`${root}/d/later.txt`, bytes(1_000, 9), true);

    const second = await backup(policy, '--no-fallback', '--checksums');
    expect(second.r.exitCode, second.stderr).toBe(0);
    const d = second.report!.datasets[0];
    expect(d).toMatchObject({ mode: 'incremental', reason: expect.stringMatching(/after rolling back \d+ change/) });
    expect(d.fallbackReason).toBeUndefined();
    // An overwrite is a new file to HDFS: keep.txt shows as deleted and created (or modified).
    expect(d.rolledBack).toContain('CREATE intruder.txt');
    expect(d.rolledBack.some((x: string) => / keep\.txt$/.test(x))).toBe(true);
    // The diff itself moved only the new file.
    expect(d).toMatchObject({ filesCopied: 1, bytesCopied: 1_000 });
    const name = second.report!.restorePoint as string;
    expect(await tree(west, snap(`${root}/d`, name))).toEqual(await tree(east, snap(`${root}/d`, name)));
    expect(await webhdfs(west).getFileStatus(`${root}/d/intruder.txt`)).toBeUndefined();
    // The earlier restore point is still whole on the secondary.
    const rp1 = first.report!.restorePoint as string;
    expect(await tree(west, snap(`${root}/d`, rp1))).toEqual(await tree(east, snap(`${root}/d`, rp1)));
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([rp1, name]);
  });

  it('keeps names with spaces and non-ASCII characters intact', async () => {
    const root = `/it/names-${id}`;
    const dir = `${root}/data with space`;
    await snapshottable(dir, {
      'dir with space/ünïcödé файл.txt': bytes(1_500),
      '日本/a b.txt': 'x',
      "quote's & dollar$.txt": 'y',
    });
    const policy = writePolicy({ service: `names-${id}`, datasets: [{ hdfs: dir, target: `${root}/cópia` }] });
    expect((await backup(policy)).r.exitCode).toBe(0);
    await webhdfs(east).createFile(`${dir}/日本/新しい ファイル.txt`, bytes(500), true);
    const second = await backup(policy, '--checksums');
    expect(second.r.exitCode, second.stderr).toBe(0);
    expect(second.report!.datasets[0]).toMatchObject({ mode: 'incremental', filesCopied: 1, bytesCopied: 500 });
    const name = second.report!.restorePoint as string;
    const copied = await tree(west, snap(`${root}/cópia`, name));
    expect(copied).toEqual(await tree(east, snap(dir, name)));
    expect(copied.map((e) => e.rel)).toContain('日本/新しい ファイル.txt');
  });

  it('lets only one of two simultaneous runs of a service proceed; the other exits 75 and changes nothing', async () => {
    const root = `/it/lock-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': bytes(1_000) });
    const policy = writePolicy({ service: `lock-${id}`, datasets: [{ hdfs: `${root}/d` }] });
    const first = hbackup(['backup', policy]);
    // Start the second once the first has taken the lock and begun its preflight.
    await new Promise<void>((resolve) => first.stderr!.on('data', (c: Buffer) => c.toString().includes('preflight') && resolve()));
    const second = await hbackup(['backup', policy]);
    const done = await first;
    expect(second.exitCode).toBe(75);
    expect(String(second.stderr)).toMatch(/already being worked on by pid \d+/);
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect(await restorePoints(policy)).toHaveLength(1);
    expect(await webhdfs(east).listSnapshots(`${root}/d`)).toHaveLength(1);
  });

  it('survives kill -9 during DistCp: the earlier restore point stays intact, the next run completes', async () => {
    const root = `/it/crash-${id}`;
    await snapshottable(`${root}/d`, { 'base.bin': bytes(300_000) });
    // 1 MB/s with one map: the second copy takes several seconds, time enough to kill it (DistCp's:
    // direct copies are killed in direct.test.ts).
    const policy = writePolicy({
      service: `crash-${id}`,
      datasets: [{ hdfs: `${root}/d` }],
      copy: { mappers: 1, bandwidthMBps: 1, direct: 'off' },
    });
    const first = await backup(policy);
    expect(first.r.exitCode, first.stderr).toBe(0);
    const rp1 = first.report!.restorePoint as string;
    const rp1Tree = await tree(east, snap(`${root}/d`, rp1));

    await webhdfs(east).createFile(`${root}/d/big.bin`, bytes(6 * 1024 * 1024, 17), true);
    const child = spawn('node', [hbackupBin, 'backup', policy, '--verbose'], {
      detached: true,
      env: { ...process.env, ...hbackupEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error('the run ended before it could be killed')));
      child.stderr!.on('data', (c: Buffer) => {
        if (/mapreduce\.Job: Running job|Number of paths in the copy list/.test(c.toString())) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(-child.pid!, 'SIGKILL');

    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([rp1]);
    expect(await tree(west, snap(`${root}/d`, rp1))).toEqual(rp1Tree);

    const third = await backup(policy, '--checksums');
    expect(third.r.exitCode, third.stderr).toBe(0);
    const rp3 = third.report!.restorePoint as string;
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([rp1, rp3]);
    expect(await tree(west, snap(`${root}/d`, rp3))).toEqual(await tree(east, snap(`${root}/d`, rp3)));
    expect(await tree(west, snap(`${root}/d`, rp1))).toEqual(rp1Tree);
    // The interrupted run's snapshot was cleaned up on both sides.
    expect((await webhdfs(east).listSnapshots(`${root}/d`)).sort()).toEqual([rp1, rp3]);
    expect((await webhdfs(west).listSnapshots(`${root}/d`)).sort()).toEqual([rp1, rp3]);
  });

  it('keeps as many restore points as the policy says, on each side', async () => {
    const root = `/it/keep-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': bytes(100) });
    const policy = writePolicy({
      service: `keep-${id}`,
      datasets: [{ hdfs: `${root}/d` }],
      retention: { primary: 1, secondary: 2 },
    });
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      await webhdfs(east).createFile(`${root}/d/f${i}.txt`, bytes(100 + i), true);
      const b = await backup(policy);
      expect(b.r.exitCode, b.stderr).toBe(0);
      names.push(b.report!.restorePoint as string);
      await new Promise((r) => setTimeout(r, 1000)); // one moment per second
    }
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual(names.slice(1));
    expect(await webhdfs(east).listSnapshots(`${root}/d`)).toEqual(names.slice(2));
    expect((await webhdfs(west).listSnapshots(`${root}/d`)).sort()).toEqual(names.slice(1));
  });

  it('refuses (exit 3) when a data set is not snapshottable, saying how to fix it, and touches nothing', async () => {
    const root = `/it/refuse-${id}`;
    await snapshottable(`${root}/ok`, { 'f.txt': 'x' });
    await putTree(east, `${root}/plain`, { 'f.txt': 'y' });
    const policy = writePolicy({ service: `refuse-${id}`, datasets: [{ hdfs: `${root}/ok` }, { hdfs: `${root}/plain` }] });
    const r = await hbackup(['backup', policy]);
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain(`hdfs dfsadmin -allowSnapshot ${root}/plain`);
    expect(await webhdfs(east).listSnapshots(`${root}/ok`)).toEqual([]);
    expect(await webhdfs(west).getFileStatus(`${root}/ok`)).toBeUndefined();
  });

  it("pulls with the secondary's own distcp when the policy says initiator: secondary", async () => {
    const root = `/it/pull-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': bytes(2_345) });
    const policy = writePolicy({ service: `pull-${id}`, datasets: [{ hdfs: `${root}/d` }], copy: { initiator: 'secondary' } });
    const dry = await hbackup(['backup', policy, '--dry-run']);
    // The secondary's own hadoop runs the job, named and tagged for this service's run and target.
    expect(String(dry.stdout)).toContain(`${west.binDir}/hadoop distcp '-Dmapreduce.job.name=hbackup backup pull-${id} `);
    expect(String(dry.stdout)).toMatch(/-Dmapreduce\.job\.tags=hbackup,hbackup-service-pull-\S+ -update -delete -pbcugpaxt/);
    const b = await backup(policy);
    expect(b.r.exitCode, b.stderr).toBe(0);
    expect(b.report!.datasets[0]).toMatchObject({ mode: 'full', bytesCopied: 2_345, filesCopied: 1 });
  });

  it('validate --online checks every data set on the primary and says how to allow snapshots', async () => {
    const root = `/it/validate-${id}`;
    await snapshottable(`${root}/ok`, { 'f.txt': 'x' });
    await putTree(east, `${root}/plain`, { 'f.txt': 'y' });
    const good = writePolicy({ service: `v1-${id}`, datasets: [{ hdfs: `${root}/ok` }] });
    const bad = writePolicy({ service: `v2-${id}`, datasets: [{ hdfs: `${root}/plain` }, { hdfs: `${root}/missing` }] });
    const ok = await hbackup(['validate', '--online', good]);
    expect(ok.exitCode, String(ok.stdout)).toBe(0);
    const r = await hbackup(['validate', '--online', bad]);
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toContain(
      `${root}/plain on east is not snapshottable; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot ${root}/plain`,
    );
    expect(String(r.stderr)).toContain(`${root}/missing does not exist on east`);
  });

  it('preserves owner, group, permissions, ACLs, xattrs and times', async () => {
    const root = `/it/attrs-${id}`;
    const dir = `${root}/d`;
    await snapshottable(dir, { 'secret.csv': bytes(1_000), 'shared/report.csv': bytes(2_000, 3) });
    await tool(east, 'hdfs', ['dfs', '-chown', '-R', 'alice:analysts', `${dir}/shared`]);
    await tool(east, 'hdfs', ['dfs', '-chmod', '640', `${dir}/secret.csv`]);
    await tool(east, 'hdfs', ['dfs', '-setfacl', '-m', 'user:bob:r--', `${dir}/secret.csv`]);
    await tool(east, 'hdfs', ['dfs', '-setfacl', '-m', 'default:group:auditors:r-x', `${dir}/shared`]);
    await tool(east, 'hdfs', ['dfs', '-setfattr', '-n', 'user.origin', '-v', 'east', `${dir}/secret.csv`]);
    const policy = writePolicy({ service: `attrs-${id}`, datasets: [{ hdfs: dir }] });
    const b = await backup(policy);
    expect(b.r.exitCode, b.stderr).toBe(0);

    const [src, dst] = [webhdfs(east), webhdfs(west)];
    for (const rel of ['secret.csv', 'shared', 'shared/report.csv']) {
      const [a, z] = await Promise.all([src.getFileStatus(`${dir}/${rel}`), dst.getFileStatus(`${dir}/${rel}`)]);
      expect({ owner: z?.owner, group: z?.group, permission: z?.permission, mtime: z?.modificationTime }, rel).toEqual({
        owner: a?.owner,
        group: a?.group,
        permission: a?.permission,
        mtime: a?.modificationTime,
      });
      expect((await dst.aclStatus(`${dir}/${rel}`)).entries.sort(), rel).toEqual((await src.aclStatus(`${dir}/${rel}`)).entries.sort());
    }
    expect((await dst.getFileStatus(`${dir}/shared/report.csv`))?.owner).toBe('alice');
    expect((await dst.aclStatus(`${dir}/secret.csv`)).entries).toContain('user:bob:r--');
    expect(await dst.xattrs(`${dir}/secret.csv`)).toEqual({ 'user.origin': '"east"' });
  });

  it('refuses (exit 3) when the secondary does not answer, and changes nothing on the primary', async () => {
    const root = `/it/unreachable-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': 'x' });
    const fs = await import('node:fs');
    const broken = fs.readFileSync(clustersFile, 'utf8').replace(`http://127.0.0.1:${west.ports.nnHttp}`, 'http://127.0.0.1:29999');
    const brokenFile = writePolicy({ service: 'unused', datasets: [{ hdfs: '/x' }] }).replace(/unused\.yaml$/, 'clusters.yaml');
    fs.writeFileSync(brokenFile, broken);
    const policy = writePolicy({ service: `unreachable-${id}`, datasets: [{ hdfs: `${root}/d` }] });
    const r = await hbackup(['backup', policy, '--clusters', brokenFile]);
    expect(r.exitCode).toBe(3);
    expect(String(r.stderr)).toMatch(/west \(secondary\) is not reachable: .*127\.0\.0\.1:29999: connection refused \(ECONNREFUSED\)/);
    expect(await webhdfs(east).listSnapshots(`${root}/d`)).toEqual([]);
  });

  it('runs the quiesce hooks around the moment: the snapshots see the paused state, the live data the resumed one', async () => {
    const root = `/it/hooks-${id}`;
    const dir = `${root}/d`;
    await snapshottable(dir, { 'f.txt': bytes(500) });
    const fs = await import('node:fs');
    const scripts = tmpDir('hooks');
    const hdfsBin = `${east.binDir}/hdfs`;
    fs.writeFileSync(
      `${scripts}/pause`,
      `#!/usr/bin/env bash\nset -e\necho "paused for $HBACKUP_SNAPSHOT at $HBACKUP_MOMENT" | ${hdfsBin} dfs -put -f - '${dir}/PAUSED'\n`,
    );
    fs.writeFileSync(
      `${scripts}/resume`,
      `#!/usr/bin/env bash\nset -e\n${hdfsBin} dfs -rm -f -skipTrash '${dir}/PAUSED' > /dev/null\ntouch '${scripts}/resumed'\n`,
    );
    for (const f of ['pause', 'resume']) fs.chmodSync(`${scripts}/${f}`, 0o755);
    const policy = writePolicy({
      service: `hooks-${id}`,
      datasets: [{ hdfs: dir }],
      hooks: { beforeSnapshot: [[`${scripts}/pause`]], afterSnapshot: [[`${scripts}/resume`]] },
    });
    const b = await backup(policy);
    expect(b.r.exitCode, b.stderr).toBe(0);
    const name = b.report!.restorePoint as string;
    const paused = await webhdfs(west).readFile(`${snap(dir, name)}/PAUSED`);
    expect(paused?.toString()).toBe(`paused for ${name} at ${b.report!.moment}\n`);
    expect(await webhdfs(east).getFileStatus(`${dir}/PAUSED`)).toBeUndefined();

    // A pause that fails: no snapshot is taken, and the resume still runs.
    fs.rmSync(`${scripts}/resumed`);
    fs.writeFileSync(`${scripts}/pause`, '#!/usr/bin/env bash\necho "ingest did not stop" >&2\nexit 4\n');
    const failed = await backup(policy);
    expect(failed.r.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/beforeSnapshot hook \[".*\/pause"\] exited with 4: ingest did not stop/);
    expect(fs.existsSync(`${scripts}/resumed`)).toBe(true);
    expect(await webhdfs(east).listSnapshots(dir)).toEqual([name]);
  });

  it('refuses a target that already holds other data, unless told to adopt it; never shares a target', async () => {
    const root = `/it/adopt-${id}`;
    await snapshottable(`${root}/src`, { 'a.txt': bytes(700) });
    await putTree(west, `${root}/existing`, { 'precious.db': 'data someone keeps here' });
    const policy = writePolicy({ service: `adopt-${id}`, datasets: [{ hdfs: `${root}/src`, target: `${root}/existing` }] });

    const refused = await backup(policy);
    expect(refused.r.exitCode).toBe(3);
    expect(refused.stderr).toContain(`target ${root}/existing on west already holds 1 file(s) that service adopt-${id} did not write`);
    expect((await webhdfs(west).readFile(`${root}/existing/precious.db`))?.toString()).toBe('data someone keeps here');

    const adopted = await backup(policy, '--adopt-target');
    expect(adopted.r.exitCode, adopted.stderr).toBe(0);
    expect((await tree(west, `${root}/existing`)).map((e) => e.rel)).toEqual(['a.txt']);
    expect((await backup(policy)).r.exitCode).toBe(0); // its own target from now on

    const other = writePolicy({ service: `other-${id}`, datasets: [{ hdfs: `${root}/src`, target: `${root}/existing` }] });
    const clash = await backup(other);
    expect(clash.r.exitCode).toBe(3);
    expect(clash.stderr).toContain(`target ${root}/existing on west overlaps ${root}/existing, the target of service adopt-${id}`);
  });

  it('cleans up after a run that died between the target snapshot and its catalog entry', async () => {
    const root = `/it/died-${id}`;
    const dir = `${root}/d`;
    await snapshottable(dir, { 'a.txt': bytes(1_000) });
    const policy = writePolicy({ service: `died-${id}`, datasets: [{ hdfs: dir }] });
    const first = await backup(policy);
    expect(first.r.exitCode, first.stderr).toBe(0);
    const rp1 = first.report!.restorePoint as string;

    // What the dead run left: its snapshot on both sides and a copied file, but no catalog entry.
    const dead = snapshotName(`died-${id}`, momentStamp(new Date(parseStamp(rp1.slice(-16)).getTime() + 1000)));
    await webhdfs(east).createFile(`${dir}/b.txt`, bytes(2_000, 3), true);
    await webhdfs(east).createSnapshot(dir, dead);
    await webhdfs(west).createFile(`${dir}/b.txt`, bytes(2_000, 3), true);
    await webhdfs(west).createSnapshot(dir, dead);
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([rp1]);

    const next = await backup(policy);
    expect(next.r.exitCode, next.stderr).toBe(0);
    expect(next.stderr).toContain('removed 2 snapshot(s) left by an interrupted run');
    // The copied file of the dead run is rolled back, then copied again by the diff.
    expect(next.report!.datasets[0]).toMatchObject({ mode: 'incremental' });
    expect(next.report!.datasets[0].rolledBack).toContain('CREATE b.txt');
    const rp2 = next.report!.restorePoint as string;
    expect((await restorePoints(policy)).map((p) => p.snapshot)).toEqual([rp1, rp2]);
    expect(await webhdfs(east).listSnapshots(dir)).toEqual([rp1, rp2]);
    expect(await webhdfs(west).listSnapshots(dir)).toEqual([rp1, rp2]);
    expect(await tree(west, snap(dir, rp2))).toEqual(await tree(east, snap(dir, rp2)));
  });

  it('lists a restore point whose snapshot was deleted by hand as incomplete, not as good', async () => {
    const root = `/it/gone-${id}`;
    await snapshottable(`${root}/d`, { 'f.txt': bytes(300) });
    const policy = writePolicy({ service: `gone-${id}`, datasets: [{ hdfs: `${root}/d` }] });
    const b = await backup(policy);
    expect(b.r.exitCode, b.stderr).toBe(0);
    const name = b.report!.restorePoint as string;
    const before = await hbackup(['list', policy, '--json']);
    expect(JSON.parse(String(before.stdout)).restorePoints[0]).toMatchObject({ snapshot: name, intact: true, missing: [] });

    await webhdfs(west).deleteSnapshot(`${root}/d`, name);
    const json = await hbackup(['list', policy, '--json']);
    expect(JSON.parse(String(json.stdout)).restorePoints[0]).toMatchObject({ intact: false, missing: [snap(`${root}/d`, name)] });
    const human = await hbackup(['list', policy]);
    expect(String(human.stdout)).toContain(`INCOMPLETE: missing ${snap(`${root}/d`, name)}`);
  });
});
