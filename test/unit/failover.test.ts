// failover and failback in-process against in-memory clusters (directories): a planned switchover and
// the backup after it, an emergency promotion over a half-finished copy, the plan of a dry run, the
// confirmation, a claim another control host holds, and a failback that keeps the lost writes.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { NamedCluster } from '../../src/config/load.js';
import { decideFailover } from '../../src/flows/failover/decide.js';
import { WebHdfs } from '../../src/hdfs/webhdfs.js';
import { writeIdentity } from '../../src/identity/identity.js';
import type { SiteStatus } from '../../src/sites/health.js';
import { world } from '../fakes/world.js';

async function setUp() {
  const w = world();
  w.source('/raw', { 'a.txt': 'one', 'sub/b.txt': 'two' });
  const policy = w.policy({ service: 'svc', datasets: [{ hdfs: '/raw', target: '/copy/raw' }] });
  const policies = path.join(w.dir, 'policies');
  fs.mkdirSync(policies);
  fs.copyFileSync(policy, path.join(policies, 'svc.yaml'));
  expect((await w.cli('--clusters', w.clustersFile, 'init')).code).toBe(0);
  expect((await w.cli('backup', policy)).code).toBe(0);
  w.later();
  const pair = (...args: (string | Record<string, unknown>)[]) => {
    const extra = typeof args.at(-1) === 'object' ? [args.pop() as Record<string, unknown>] : [];
    return w.cli('--clusters', w.clustersFile, ...(args as string[]), '--policies', policies, ...extra);
  };
  const role = (site: typeof w.east) => {
    const dir = site.lookup('/.hbackup/identity');
    const files = [...(dir?.type === 'DIRECTORY' ? dir.children.keys() : [])].filter((n) => /^\d{10}\.json$/.test(n)).sort();
    return JSON.parse(site.read(`/.hbackup/identity/${files.at(-1)}`)!.toString()) as { role: string; epoch: number };
  };
  return { w, policy, pair, role };
}

describe('failover', () => {
  it('switches over as planned: a last backup, identities swapped, and the next backup copies back by snapshot diff', async () => {
    const { w, policy, pair, role } = await setUp();
    w.east.write('/raw/late.txt', 'just before');
    const r = await pair('--json', 'failover', '--yes');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.report).toMatchObject({ result: 'ok', mode: 'planned', from: 'east', to: 'west', epoch: 2, endpoint: { site: 'west' } });
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'secondary', epoch: 2 },
      { role: 'primary', epoch: 2 },
    ]);
    expect(w.west.tree('/copy/raw')).toMatchObject({ 'late.txt': 'just before' });
    // The catalog followed: east lists both restore points, its own paths as targets.
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.restorePoints).toHaveLength(2);
    w.later();
    w.west.write('/copy/raw/new.txt', 'on the new primary');
    const next = await w.cli('--json', 'backup', policy);
    expect(next.report, next.stderr).toMatchObject({ result: 'ok' });
    expect(next.report!.datasets[0]).toMatchObject({ source: '/copy/raw', target: '/raw', mode: 'incremental' });
    expect(w.east.tree('/raw')).toEqual(w.west.tree('/copy/raw'));
  });

  it('promotes the secondary when the primary is down, back to the last complete restore point', async () => {
    const { w, pair, role } = await setUp();
    // A copy died half-way: the secondary's directory holds files of no restore point.
    w.west.write('/copy/raw/half.txt', 'half a copy');
    w.east.down = true;
    const before = w.west.changes.length;
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(w.west.changes.length).toBe(before);
    expect(dry.report).toMatchObject({ result: 'planned', mode: 'emergency', from: 'east', to: 'west', epoch: 2 });
    expect(dry.report!.services[0]).toMatchObject({ service: 'svc', restorePoint: 'hb-svc-20261125T020000Z', rpoSeconds: 3600 });
    expect(dry.report!.planned.map((p: any) => p.change)).toEqual([
      // The epoch claimed on west: written aside and renamed onto its name.
      expect.stringMatching(/\/\.hbackup\/identity\?op=MKDIRS/),
      expect.stringMatching(/\/\.hbackup\/identity\/_tmp\.claim\.0000000002\.[^/]+\.json\?op=CREATE/),
      expect.stringMatching(/op=RENAME&.*destination=%2F\.hbackup%2Fidentity%2F_claim\.0000000002\.json$/),
      expect.stringContaining('op=CREATESNAPSHOT'),
      expect.stringMatching(
        /distcp '-Dmapreduce\.job\.name=hbackup restore svc 20261125T020000Z west:\/copy\/raw' .* -update -rdiff \S+ hb-svc-20261125T020000Z .* hdfs:\/\/west\/copy\/raw hdfs:\/\/west\/copy\/raw$/,
      ),
      expect.stringContaining('op=DELETESNAPSHOT'),
      // The identity, as the calls that write it; the onPromote hooks (none here) would follow.
      expect.stringMatching(/^PUT http:\/\/west-nn:9870\/webhdfs\/v1\/\.hbackup\/identity\?op=MKDIRS/),
      expect.stringMatching(/\/\.hbackup\/identity\/_tmp\.0000000002\.west\.[^?]+\.json\?op=CREATE/),
      expect.stringMatching(/\/_tmp\.0000000002\.west\.[^?]+\.json\?op=RENAME&.*destination=%2F\.hbackup%2Fidentity%2F0000000002\.json$/),
      // Each step past the point of no return is recorded in the claim; the claim goes at the end.
      expect.stringMatching(/\/_claim\.0000000002\.json\?op=CREATE&.*overwrite=true/),
      expect.stringMatching(/\/_claim\.0000000002\.json\?op=CREATE&.*overwrite=true/),
      expect.stringMatching(/^DELETE .*\/_claim\.0000000002\.json\?op=DELETE/),
    ]);

    const refused = await pair('failover');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('pass --yes, or run it on a terminal to be asked');
    expect(w.west.changes.length).toBe(before);

    const questions: string[] = [];
    const r = await pair('failover', { confirm: async (q: string) => questions.push(q) > 0 });
    expect(r.code, r.stderr).toBe(0);
    expect(questions).toEqual(['Make west the primary (epoch 2): svc back to 2026-11-25T02:00:00Z (60 min lost)?']);
    expect(w.west.tree('/copy/raw')).toEqual({ 'a.txt': 'one', sub: null, 'sub/b.txt': 'two' });
    expect(role(w.west)).toEqual(expect.objectContaining({ role: 'primary', epoch: 2 }));
    expect(r.stdout).toContain('applications use west: fs.defaultFS=hdfs://west');
    // The old primary, back, is stale: backups refuse until failback.
    w.east.down = false;
    const stale = await w.cli('backup', path.join(w.dir, 'policies', 'svc.yaml'));
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain('east is stale: it claims primary at epoch 1, west holds primary at epoch 2; run hbackup failback');
  });

  it("runs the old primary's fence hooks before the last backup and the new primary's onPromote hooks after the switch", async () => {
    const { w, pair, role } = await setUp();
    const clusters = parse(fs.readFileSync(w.clustersFile, 'utf8'));
    clusters.clusters.east.hooks = { fence: [['stop-writers', '--site', 'east']] };
    clusters.clusters.west.hooks = { onPromote: [['switch-dns', 'west']] };
    fs.writeFileSync(w.clustersFile, stringify(clusters));
    w.rec.handlers.set('switch-dns', async () => ({ exitCode: 1, stdout: '', stderr: 'dns: zone is locked\n' }));

    const ranBefore = w.rec.commands.length;
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report!.planned.find((p: any) => p.step === 'fence east')).toEqual({
      step: 'fence east',
      site: 'local',
      change: 'HBACKUP_SITE=east HBACKUP_ROLE=secondary HBACKUP_EPOCH=2 HBACKUP_FS_DEFAULTFS=hdfs://east stop-writers --site east',
    });
    expect(dry.report!.planned.find((p: any) => p.step === 'promote west' && p.site === 'local')).toMatchObject({
      step: 'promote west',
      site: 'local',
      change: expect.stringMatching(/ switch-dns west$/),
    });
    expect(w.rec.commands).toHaveLength(ranBefore);

    const r = await pair('--json', 'failover', '--yes');
    const ran = w.rec.commands.slice(ranBefore).map((c) => c.argv[0]!.split('/').pop());
    expect(ran[0]).toBe('stop-writers');
    expect(ran.at(-1)).toBe('switch-dns');
    expect(w.rec.commands[ranBefore]!.env).toEqual({
      HBACKUP_SITE: 'east',
      HBACKUP_ROLE: 'secondary',
      HBACKUP_EPOCH: '2',
      HBACKUP_FS_DEFAULTFS: 'hdfs://east',
    });
    // The switch is made; the hook that failed is named, with what is left to do, and the exit code says it.
    expect(r.code).toBe(1);
    expect(role(w.west)).toMatchObject({ role: 'primary', epoch: 2 });
    expect(r.report!.warnings).toEqual([
      'west: onPromote hook ["switch-dns","west"] exited with 1: dns: zone is locked; west is the primary: finish what the hook does by hand',
    ]);
  });

  it('takes the newest restore point the secondary holds in full, and promotes even a service without one', async () => {
    const { w, policy, pair } = await setUp();
    w.east.write('/raw/c.txt', 'three');
    expect((await w.cli('backup', policy)).code).toBe(0);
    // Someone deleted the newest point's snapshot on the secondary by hand.
    w.west.deleteSnapshot('/copy/raw', 'hb-svc-20261125T030000Z');
    w.source('/fresh', { 'f.txt': 'never backed up' });
    fs.writeFileSync(
      path.join(w.dir, 'policies', 'fresh.yaml'),
      fs.readFileSync(w.policy({ service: 'fresh', datasets: [{ hdfs: '/fresh' }] })),
    );
    w.east.down = true;
    const r = await pair('--json', 'failover', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.services.map((s: any) => [s.service, s.restorePoint])).toEqual([
      ['fresh', null],
      ['svc', 'hb-svc-20261125T020000Z'],
    ]);
    expect(r.stderr).toContain('svc: restore point hb-svc-20261125T030000Z is incomplete on west; taking an older one');
    expect(r.report!.warnings).toEqual(['fresh: no complete restore point on west: nothing of it can be brought up there']);
    expect(w.west.tree('/copy/raw')).toEqual({ 'a.txt': 'one', sub: null, 'sub/b.txt': 'two' });
  });

  it('fails cleanly while another control host holds a live claim of the epoch, changing nothing', async () => {
    const { w, pair, role } = await setUp();
    const claim = { command: 'failover', site: 'west', epoch: 2, from: 'east', to: 'west', mode: 'planned', host: 'ctl2', pid: 42 };
    const lease = new Date(w.now().getTime() + 60_000).toISOString();
    w.west.write('/.hbackup/identity/_claim.0000000002.json', JSON.stringify({ ...claim, at: 'then', leaseUntil: lease, done: [] }));
    const before = [w.east.changes.length, w.west.changes.length];
    const r = await pair('failover', '--yes');
    expect(r.code).toBe(75);
    expect(r.stderr).toContain(
      `west: a failover east → west (planned) to epoch 2, begun by pid 42 on ctl2 at then, is under way (lease until ${lease}); nothing was changed`,
    );
    expect([w.east.changes.length, w.west.changes.length]).toEqual(before);
    expect([role(w.east).role, role(w.west).role]).toEqual(['primary', 'secondary']);
  });

  it('refuses without identities, naming the command that writes them', async () => {
    const { w, pair } = await setUp();
    w.west.remove('/.hbackup/identity');
    const r = await pair('failover', '--yes');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('west holds no identity: run hbackup init first');
  });
});

describe('failback', () => {
  it('prints its plan under --dry-run and changes nothing on either site', async () => {
    const { w, pair } = await setUp();
    w.east.down = true;
    expect((await pair('failover', '--yes')).code).toBe(0);
    w.east.down = false;
    w.east.write('/raw/missed.txt', 'an application missed the switch');
    const before = [w.east.changes.length, w.west.changes.length, w.rec.commands.length];
    const r = await pair('--json', 'failback', '--dry-run', '--switch');
    expect(r.code, r.stderr).toBe(0);
    expect([w.east.changes.length, w.west.changes.length, w.rec.commands.length]).toEqual(before);
    expect(r.report).toMatchObject({ result: 'planned', dryRun: true, from: 'east', to: 'west', endpoint: { site: 'east' } });
    expect([...new Set(r.report!.planned.map((p: any) => p.step))]).toEqual([
      'claim epoch 2 on east',
      'svc: quarantine what east holds',
      'svc: catalog',
      'svc: roll back to hb-svc-20261125T020000Z',
      'svc: hb-svc-20261125T020000Z taken again on east',
      'identity: east secondary at epoch 2',
      'svc: copy forward west → east',
      'release the claim on east',
      'switch',
    ]);
    expect(r.report!.planned.find((p: any) => p.step === 'svc: quarantine what east holds').change).toContain(
      'op=CREATESNAPSHOT&user.name=hdfs&snapshotname=hbackup-quarantine-svc-',
    );
    expect(w.east.tree('/raw')).toHaveProperty(['missed.txt']);
  });

  it('keeps what the old primary wrote after the failover, rolls it back, and copies the new writes forward', async () => {
    const { w, policy, pair, role } = await setUp();
    w.east.down = true;
    expect((await pair('failover', '--yes')).code).toBe(0);
    w.east.down = false;
    w.east.write('/raw/missed.txt', 'an application missed the switch');
    w.west.write('/copy/raw/after.txt', 'written on the new primary');
    w.later();
    const r = await pair('--json', 'failback', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report).toMatchObject({ result: 'ok', command: 'failback', from: 'east', to: 'west', epoch: 2 });
    const lost = r.report!.services[0].lostWrites[0];
    expect(lost).toMatchObject({ dataset: '/raw', quarantine: '/raw/.snapshot/hbackup-quarantine-svc-20261125T040000Z' });
    expect(lost.changes).toContain('CREATE missed.txt');
    expect(w.east.tree('/raw/.snapshot/hbackup-quarantine-svc-20261125T040000Z')).toMatchObject({ 'missed.txt': expect.any(String) });
    expect(w.east.tree('/raw')).toEqual(w.west.tree('/copy/raw'));
    expect(w.east.tree('/raw')).not.toHaveProperty('missed.txt');
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'secondary', epoch: 2 },
      { role: 'primary', epoch: 2 },
    ]);
    // The copy forward was a diff from the shared restore point.
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.restorePoints.at(-1).datasets[0]).toMatchObject({ source: '/copy/raw', target: '/raw', mode: 'incremental' });
  });
});

describe('how a failover decides', () => {
  const site = (name: string, role: 'primary' | 'secondary', more: Partial<SiteStatus> = {}): SiteStatus => ({
    site: name,
    role,
    roleFrom: 'identity',
    stale: false,
    level: 'OK',
    reachable: true,
    latencyMs: 3,
    namenode: { endpoint: `http://${name}`, state: 'active', safemode: false },
    datanodes: { live: 1, dead: 0 },
    capacity: null,
    claims: [],
    hbase: null,
    identity: { site: name, role, epoch: 4, changedAt: '', host: 'h', reason: 'init' },
    clockSkewMs: 0,
    clockOffsetMs: 0,
    ...more,
  });
  const pair = [
    { name: 'east', role: 'primary' },
    { name: 'west', role: 'secondary' },
  ] as unknown as NamedCluster[];

  it('switches over as planned from a healthy primary, unless told it is faulty', () => {
    const d = decideFailover([site('east', 'primary'), site('west', 'secondary')], pair, false);
    expect(d).toMatchObject({ mode: 'planned', epoch: 5, why: 'east is healthy', from: { name: 'east' }, to: { name: 'west' } });
    expect(decideFailover([site('east', 'primary'), site('west', 'secondary')], pair, true)).toMatchObject({
      mode: 'emergency',
      why: '--emergency: east answers but is treated as failed',
      oldReachable: true,
    });
  });

  it('promotes in an emergency when the primary answers but is not healthy, or does not answer', () => {
    const sick = site('east', 'primary', { level: 'CRITICAL', namenode: { endpoint: '', state: 'active', safemode: true } });
    expect(decideFailover([sick, site('west', 'secondary')], pair, false)).toMatchObject({
      mode: 'emergency',
      why: 'east answers but is not healthy',
    });
    const gone = site('east', 'primary', { reachable: false, level: 'CRITICAL', error: 'ECONNREFUSED', identity: null });
    expect(decideFailover([gone, site('west', 'secondary')], pair, false)).toMatchObject({
      mode: 'emergency',
      why: 'east does not answer (ECONNREFUSED)',
      epoch: 5,
      oldReachable: false,
    });
  });

  it('refuses a secondary that cannot take over, and a pair with a stale site', () => {
    const safe = site('west', 'secondary', { namenode: { endpoint: '', state: 'active', safemode: true } });
    expect(() => decideFailover([site('east', 'primary'), safe], pair, false)).toThrow('west cannot be promoted: HDFS is in safe mode');
    const standby = site('west', 'secondary', { namenode: { endpoint: '', state: 'standby', safemode: false } });
    expect(() => decideFailover([site('east', 'primary'), standby], pair, false)).toThrow(
      'west cannot be promoted: its NameNode is standby',
    );
    const stale = site('east', 'secondary', { stale: true });
    expect(() => decideFailover([stale, site('west', 'primary')], pair, false)).toThrow(
      'east is stale (an old primary): run hbackup failback before another failover',
    );
  });
});

describe('a failover or failback cut short', () => {
  const denied = { status: 403, body: { RemoteException: { exception: 'AccessControlException', message: 'Permission denied' } } };

  it('finishes a failover when run again, after the new primary took its identity; status says what is left', async () => {
    const { w, policy, pair, role } = await setUp();
    // The old primary refuses its new identity: the switch is half made.
    w.east.intercept = (method, op, p) =>
      method === 'PUT' && op === 'CREATE' && p.startsWith('/.hbackup/identity/_tmp.') ? denied : undefined;
    const cut = await pair('--json', 'failover', '--yes');
    expect(cut.code).toBe(1);
    expect(cut.report!.error).toMatch(/Permission denied; west is the primary at epoch 2: run hbackup failover again to finish the rest$/);
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'primary', epoch: 1 },
      { role: 'primary', epoch: 2 },
    ]);
    // Nothing but the claim says why east looks stale; status names it and what the next failover does.
    const status = JSON.parse((await w.cli('--json', '--clusters', w.clustersFile, 'status')).stdout);
    expect(status.problems.map((p: any) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^west \(primary\): a failover east → west \(planned\) to epoch 2, begun by pid \d+ on \S+ at .*, did not finish \(that run is gone\): the next hbackup failover carries it on/,
        ),
      ]),
    );
    // A backup in the meantime says the same, and changes nothing.
    const b = await w.cli('backup', policy);
    expect(b.code).toBe(3);
    expect(b.stderr).toContain('run hbackup failover again to finish it');

    w.east.intercept = undefined;
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report).toMatchObject({
      result: 'planned',
      mode: 'planned',
      epoch: 2,
      why: expect.stringMatching(/^finishing a failover east → west/),
    });
    expect(dry.report!.planned.filter((p: any) => p.change === '(done by an earlier run)').map((p: any) => p.step)).toEqual([
      'identity: west primary at epoch 2',
    ]);
    const again = await pair('--json', 'failover', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.report!.resumed).toMatch(/^a failover east → west \(planned\) to epoch 2/);
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'secondary', epoch: 2 },
      { role: 'primary', epoch: 2 },
    ]);
    expect([...(w.west.lookup('/.hbackup/identity') as any).children.keys()].filter((n: string) => n.startsWith('_'))).toEqual([]);
    // And the pair works on: the next backup copies back by snapshot diff.
    w.later();
    const next = await w.cli('--json', 'backup', policy);
    expect(next.report, next.stderr).toMatchObject({
      result: 'ok',
      datasets: [{ source: '/copy/raw', target: '/raw', mode: 'unchanged' }],
    });
  });

  it('removes the temporary files of a run that died beside the identities, once they are older than a lease', async () => {
    const { w, pair } = await setUp();
    w.west.write('/.hbackup/identity/_tmp.0000000002.west.json', '{"half":');
    w.east.write('/.hbackup/identity/_claim.0000000002.json.gone.ctl2.42', '{}');
    const young = await pair('--json', 'failover', '--dry-run');
    expect(young.report!.planned.filter((p: any) => p.step.startsWith('clean-up'))).toEqual([]);
    w.later();
    const dry = await pair('--json', 'failover', '--dry-run');
    expect(dry.report!.planned.filter((p: any) => p.step.startsWith('clean-up')).map((p: any) => p.change)).toEqual([
      expect.stringMatching(
        /^DELETE http:\/\/east-nn:9870\/webhdfs\/v1\/\.hbackup\/identity\/_claim\.0000000002\.json\.gone\.ctl2\.42\?op=DELETE/,
      ),
      expect.stringMatching(/^DELETE http:\/\/west-nn:9870\/webhdfs\/v1\/\.hbackup\/identity\/_tmp\.0000000002\.west\.json\?op=DELETE/),
    ]);
    expect((await pair('failover', '--yes')).code).toBe(0);
    for (const site of [w.east, w.west])
      expect([...(site.lookup('/.hbackup/identity') as any).children.keys()].filter((n: string) => n.startsWith('_'))).toEqual([]);
  });

  it('removes the claim of a failover that died before it switched anything, and a later failover is not blocked', async () => {
    const { w, pair, role } = await setUp();
    const dead = { command: 'failover', site: 'west', epoch: 2, from: 'east', to: 'west', mode: 'planned', host: 'elsewhere', pid: 1 };
    const expired = new Date(w.now().getTime() - 1000).toISOString();
    w.west.write('/.hbackup/identity/_claim.0000000002.json', JSON.stringify({ ...dead, at: 'then', leaseUntil: expired, done: [] }));
    const r = await pair('--json', 'failover', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.report!.resumed).toMatch(/^a failover east → west \(planned\) to epoch 2, begun by pid 1 on elsewhere/);
    expect(r.report!.made.map((m: any) => m.step)[0]).toBe('claim epoch 2 on west');
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'secondary', epoch: 2 },
      { role: 'primary', epoch: 2 },
    ]);
  });

  it('carries a failback on when run again, with the first run quarantine and without doing twice what is done', async () => {
    const { w, policy, pair, role } = await setUp();
    w.east.down = true;
    expect((await pair('failover', '--yes')).code).toBe(0);
    w.east.down = false;
    w.east.write('/raw/missed.txt', 'an application missed the switch');
    w.later();
    // The roll-back's snapshot taken again fails once: the quarantine and the roll-back are done.
    w.east.intercept = (method, op) =>
      method === 'PUT' && op === 'CREATESNAPSHOT' && !w.east.lookup('/raw')?.snapshots.has('hb-svc-20261125T020000Z') ? denied : undefined;
    const cut = await pair('--json', 'failback', '--yes');
    expect(cut.code).toBe(1);
    expect(cut.report!.error).toMatch(/run hbackup failback again to carry on from there$/);
    const quarantine = w.east.snapshots('/raw').filter((n) => n.startsWith('hbackup-quarantine-'));
    expect(quarantine).toHaveLength(1);
    w.east.intercept = undefined;
    w.later();
    const again = await pair('--json', 'failback', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.report!.resumed).toMatch(/^a failback of east as the secondary of west at epoch 2/);
    expect(w.east.snapshots('/raw').filter((n) => n.startsWith('hbackup-quarantine-'))).toEqual(quarantine);
    expect(w.east.read(`/raw/.snapshot/${quarantine[0]}/missed.txt`)?.toString()).toBe('an application missed the switch');
    expect([role(w.east), role(w.west)]).toMatchObject([
      { role: 'secondary', epoch: 2 },
      { role: 'primary', epoch: 2 },
    ]);
    expect(w.east.tree('/raw')).toEqual(w.west.tree('/copy/raw'));
    const list = JSON.parse((await w.cli('--json', 'list', policy)).stdout);
    expect(list.restorePoints.at(-1)).toMatchObject({ intact: true });
  });
});

describe('an identity written by a run that died', () => {
  it('is the carrying-on run own when the dead run held the claim before it, another host changing it first otherwise', async () => {
    const w = world();
    const held = { site: 'west', role: 'primary', epoch: 2, changedAt: 'then', host: 'ctl2', pid: 7, reason: 'failover (planned)' };
    w.west.write('/.hbackup/identity/0000000002.json', JSON.stringify(held));
    const hdfs = new WebHdfs({ urls: [w.west.base], user: 'hdfs', fetch: w.hadoop.fetch, putData: w.hadoop.putData });
    const change = { site: 'west', role: 'primary' as const, epoch: 2, reason: 'failover (planned)' };
    await expect(writeIdentity(hdfs, change, w.now(), undefined, [{ host: 'ctl2', pid: 7 }])).resolves.toMatchObject({
      host: 'ctl2',
      pid: 7,
    });
    await expect(writeIdentity(hdfs, change, w.now())).rejects.toThrow(
      'west already has an identity of epoch 2 (primary, from ctl2): another control host changed it first',
    );
    expect([...(w.west.lookup('/.hbackup/identity') as any).children.keys()]).toEqual(['0000000002.json']);
  });
});
