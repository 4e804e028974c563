// Dry runs and outcomes in-process, against two in-memory clusters: the plan lists each change of
// the real run once and in its order; several services give one exit code; unreadable catalog
// entries, unreachable sites and refused renames are said as what they are.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { world } from '../fakes/world.js';

describe('dry run', () => {
  it('prints the plan, each change once and in the order a real run makes them, and changes nothing', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    w.source('/e', { 'g.txt': 'g' });
    const policy = w.policy({
      service: 'dry',
      datasets: [{ hdfs: '/d' }],
      retention: { primary: 1, secondary: 1 },
      hooks: { beforeSnapshot: [['/opt/pause']], afterSnapshot: [['/opt/resume']] },
    });
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.east.createSnapshot('/d', 'hb-dry-20261125T021500Z'); // left by a crashed run
    w.east.write('/d/new.txt', 'new');
    // A second data set, new to the service: its target must be claimed, created and made snapshottable.
    // One copy at a time: with copy.parallel above 1 the copies of different data sets interleave.
    const policy2 = w.policy({
      service: 'dry',
      datasets: [{ hdfs: '/d' }, { hdfs: '/e' }],
      copy: { parallel: 1 },
      retention: { primary: 1, secondary: 1 },
      hooks: { beforeSnapshot: [['/opt/pause']], afterSnapshot: [['/opt/resume']] },
    });
    w.later();
    const [eastBefore, westBefore, commandsBefore] = [w.east.changes.length, w.west.changes.length, w.rec.commands.length];
    const dry = await w.cli('--json', 'backup', policy2, '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect([w.east.changes.length, w.west.changes.length, w.rec.commands.length]).toEqual([eastBefore, westBefore, commandsBefore]);
    expect(dry.report).toMatchObject({ result: 'planned', restorePoint: null, dryRun: true, consistencyWindowMs: null });
    expect(dry.report!.datasets[0]).not.toHaveProperty('bytesCopied');
    expect(dry.stderr).not.toMatch(/removed|verified|copied|snapshot\(s\) hb-/);
    const planned: string[] = dry.report!.planned.map((p: { change: string }) => p.change);
    expect([...new Set(dry.report!.planned.map((p: { step: string }) => p.step))]).toEqual([
      'clean-up',
      'pause',
      'snapshot',
      'resume',
      'copy /d',
      'copy /e',
      'catalog',
      'retention',
    ]);
    const { plan } = dry.report!;
    expect(plan).toMatchObject({
      snapshot: 'hb-dry-20261125T030000Z',
      previous: 'hb-dry-20261125T020000Z',
      catalog: { entry: '/.hbackup/catalog/dry/20261125T030000Z.json' },
    });
    expect(plan.datasets.map((d: any) => [d.source, d.mode, d.copy.length])).toEqual([
      // The new file written through WebHDFS (CREATE, owner, permission, times), then the target's snapshot.
      ['/d', 'incremental', 5],
      ['/e', 'full', 6],
    ]);
    expect(plan.retention.restorePoints).toEqual(['20261125T020000Z']);
    expect(new Set(planned).size).toBe(planned.length);

    // The real run makes exactly these changes, in this order.
    const real = await w.cli('--json', '--verbose', 'backup', policy2);
    expect(real.code, real.stderr).toBe(0);
    const made = real.stderr
      .split('\n')
      .map((l) => l.replace(/^\S+ /, ''))
      .filter((l) => /^(PUT|POST|DELETE) /.test(l) || l.startsWith('run: '))
      .map((l) => l.replace(/^run: /, ''));
    expect(made).toEqual(planned);
    expect(planned.filter((p) => p.includes('op=DELETESNAPSHOT') && p.includes('hb-dry-20261125T021500Z'))).toHaveLength(1);
    expect(
      planned.map((p) =>
        p
          .replace(/http:\/\/\w+-nn:9870\/webhdfs\/v1/, '')
          .replace(/&user\.name=hdfs/, '')
          .split(' ')
          .slice(0, 2)
          .join(' '),
      ),
    ).toEqual([
      'DELETE /d?op=DELETESNAPSHOT&snapshotname=hb-dry-20261125T021500Z',
      expect.stringMatching(/^HBACKUP_SERVICE=dry /),
      'PUT /d?op=CREATESNAPSHOT&snapshotname=hb-dry-20261125T030000Z',
      'PUT /e?op=CREATESNAPSHOT&snapshotname=hb-dry-20261125T030000Z',
      expect.stringMatching(/^HBACKUP_SERVICE=dry /),
      // The diff of /d, one new file, written through WebHDFS with its block size, owner, permission and times.
      'PUT /d/new.txt?op=CREATE&overwrite=true&blocksize=134217728&noredirect=true',
      'PUT /d/new.txt?op=SETOWNER&owner=hdfs&group=supergroup',
      'PUT /d/new.txt?op=SETPERMISSION&permission=0755',
      expect.stringMatching(/^PUT \/d\/new\.txt\?op=SETTIMES&modificationtime=\d+&accesstime=\d+$/),
      'PUT /d?op=CREATESNAPSHOT&snapshotname=hb-dry-20261125T030000Z',
      'PUT /.hbackup/targets/dry?op=MKDIRS',
      'PUT /.hbackup/targets/dry/%252Fe?op=CREATE&overwrite=true&noredirect=true',
      'PUT /e?op=MKDIRS',
      'PUT /e?op=ALLOWSNAPSHOT',
      expect.stringMatching(/\/east\/hadoop distcp$/),
      'PUT /e?op=CREATESNAPSHOT&snapshotname=hb-dry-20261125T030000Z',
      'PUT /.hbackup/catalog/dry?op=MKDIRS',
      'PUT /.hbackup/catalog/dry/_tmp.20261125T030000Z.json?op=CREATE&overwrite=true&noredirect=true',
      expect.stringMatching(/^PUT \/\.hbackup\/catalog\/dry\/_tmp\.20261125T030000Z\.json\?op=RENAME/),
      'DELETE /.hbackup/catalog/dry/20261125T020000Z.json?op=DELETE&recursive=false',
      'DELETE /d?op=DELETESNAPSHOT&snapshotname=hb-dry-20261125T020000Z',
      'DELETE /d?op=DELETESNAPSHOT&snapshotname=hb-dry-20261125T020000Z',
    ]);
  });
});

describe('outcomes and errors', () => {
  it('gives several services one exit code: that of the first that did not succeed', async () => {
    const w = world();
    w.source('/ok', { 'f.txt': 'f' });
    w.east.mkdirs('/plain');
    const good = w.policy({ service: 'good', datasets: [{ hdfs: '/ok' }] });
    const bad = w.policy({ service: 'bad', datasets: [{ hdfs: '/plain' }] });
    const locked = w.policy({ service: 'busy', datasets: [{ hdfs: '/ok', target: '/busy' }] });
    fs.mkdirSync(path.join(w.stateDir, 'locks'), { recursive: true });
    fs.writeFileSync(
      path.join(w.stateDir, 'locks', 'busy.lock'),
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), startedAt: 'then', command: 'backup' }),
    );

    const r = await w.cli('--json', 'backup', good, bad, locked);
    expect(r.json.map((x) => [x.service, x.result])).toEqual([
      ['good', 'ok'],
      ['bad', 'refused'],
      ['busy', 'locked'],
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'bad: preflight refused: /plain on east is not snapshottable; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot /plain',
    );
    expect((await w.cli('backup', locked, good)).code).toBe(75);
  });

  it('reports an unreadable catalog entry with its path, keeps it, and never calls it a restore point', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'broken', datasets: [{ hdfs: '/d' }], retention: { primary: 1, secondary: 1 } });
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.west.write('/.hbackup/catalog/broken/20261125T020000Z.json', '{"format": 1, "datasets": null}');
    w.later();
    const r = await w.cli('backup', policy);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: catalog entry /.hbackup/catalog/broken/20261125T020000Z.json on west cannot be read');
    expect(w.west.snapshots('/d')).toContain('hb-broken-20261125T020000Z');
    const list = await w.cli('list', policy);
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(
      /error: catalog entry \/\.hbackup\/catalog\/broken\/20261125T020000Z\.json on west cannot be read: service: /,
    );
    expect(list.stdout).toContain('hb-broken-20261125T030000Z');
  });

  it('says an unreachable secondary is unreachable (exit 1), never that snapshots are missing', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'far', datasets: [{ hdfs: '/d' }] });
    expect((await w.cli('backup', policy)).code).toBe(0);
    w.west.down = true;
    const r = await w.cli('list', policy);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      / error: WebHDFS GETFILESTATUS \/\.hbackup\/catalog\/far: no active NameNode answered \(http:\/\/west-nn:9870: connection refused \(ECONNREFUSED\)\)\n$/,
    );
    expect(r.stdout).not.toMatch(/INCOMPLETE|missing/);
  });

  it('reports a refused catalog rename as what it is, not as a bug, and records nothing', async () => {
    const w = world();
    w.source('/d', { 'f.txt': 'f' });
    const policy = w.policy({ service: 'norename', datasets: [{ hdfs: '/d' }] });
    w.west.intercept = (_m, op) => (op === 'RENAME' ? { status: 200, body: { boolean: false } } : undefined);
    const r = await w.cli('--json', 'backup', policy);
    expect(r.code).toBe(1);
    expect(r.report).toMatchObject({ result: 'failed', restorePoint: null });
    expect(r.report!.error).toMatch(/^the secondary refused to rename \/\.hbackup\/catalog\/norename\/_tmp\.20261125T020000Z\.json to /);
    expect(r.stderr).not.toMatch(/bug/i);
  });
});
