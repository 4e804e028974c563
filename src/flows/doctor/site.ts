/**
 * What `doctor` checks of one cluster, each finding one line with its fix: every NameNode endpoint
 * (and which is active), authentication, the clock, the NameNode's version and whether snapshots
 * capture open files, a DataNode reached through a real write (a probe directory, a file, a
 * snapshot, all removed again), and each tool with its version.
 */
import type { NamedCluster } from '../../config/load.js';
import { webhdfsUrls } from '../../config/load.js';
import { causeLine, cleanLine } from '../../errors.js';
import type { Runner } from '../../exec/runner.js';
import type { PutData } from '../../hdfs/put-data.js';
import { ops } from '../../hdfs/requests.js';
import type { FetchLike } from '../../http/client.js';
import { networkError } from '../../http/read.js';
import { confValue, jmx } from '../../http/servlets.js';
import { type Clock, clockOf, missingTool } from '../../sites/checks.js';
import { fetchOf, openSite, type Site, type ToolName } from '../../sites/site.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface Finding {
  site: string;
  check: string;
  level: Level;
  text: string;
  /** What to do about it (absent when all is well). */
  fix?: string;
}

export interface SiteFacts {
  findings: Finding[];
  /** The NameNode's and the tools' Hadoop versions, and HBase's, where known. */
  versions: { namenode?: string; hadoop?: string; hbase?: string };
}

export interface DoctorIo {
  fetch?: FetchLike | undefined;
  putData?: PutData | undefined;
  runner: Runner;
  now: () => Date;
  timeoutMs: number;
}

const MAX_SKEW_MS = 30_000;

/** A NameNode's HA state as WebHDFS shows it: an active one answers, a standby says StandbyException. */
async function stateOverWebHdfs(c: NamedCluster, base: string, io: DoctorIo): Promise<string | undefined> {
  const one = openSite({ ...c, webhdfs: base }, { fetch: io.fetch, timeoutMs: io.timeoutMs, runner: io.runner });
  return one.hdfs.getFileStatus('/').then(
    () => 'active',
    (e: Error) => (/standby NameNode/.test(e.message) ? 'standby' : undefined),
  );
}

/** Every NameNode endpoint: does it answer, and in which HA state. */
async function endpoints(c: NamedCluster, f: FetchLike, io: DoctorIo, add: (x: Omit<Finding, 'site'>) => void) {
  const states = await Promise.all(
    webhdfsUrls(c).map(async (base) => {
      try {
        const bean = await jmx(f, base, 'Hadoop:service=NameNode,name=NameNodeStatus', io.timeoutMs);
        // JMX behind SPNEGO (a Kerberized cluster) says nothing: WebHDFS itself, with the token, does.
        const state = (typeof bean?.State === 'string' && bean.State ? bean.State : undefined) ?? (await stateOverWebHdfs(c, base, io));
        add({ check: 'endpoint', level: 'ok', text: `${base} answers${state ? `: ${state}` : ''}` });
        return state;
      } catch (e) {
        add({
          check: 'endpoint',
          level: 'fail',
          text: `${base} does not answer: ${cleanLine(networkError(e, io.timeoutMs), 160)}`,
          fix: `check the host and port (the NameNode's dfs.namenode.http-address or https-address) and any firewall between this host and ${c.name}`,
        });
        return undefined;
      }
    }),
  );
  if (states.some((s) => s !== undefined) && !states.includes('active')) {
    add({
      check: 'endpoint',
      level: 'fail',
      text: 'no NameNode is active',
      fix: `make one active (hdfs haadmin -transitionToActive) or list the active one in clusters.${c.name}.webhdfs`,
    });
  }
}

/** Who hbackup acts as on a cluster: its Kerberos principal, or the simple-authentication user. */
const actorOf = (c: NamedCluster): string => c.kerberos?.principal ?? c.user;

/** The directory, file and snapshot hbackup's own work needs, made and removed again. */
async function writeProbe(site: Site, stamp: string, add: (x: Omit<Finding, 'site'>) => void) {
  const dir = `/.hbackup/doctor-${stamp}`;
  const steps: [string, () => Promise<unknown>][] = [
    ['create /.hbackup/…', () => site.hdfs.mkdirs(dir)],
    ['write a file (through a DataNode)', () => site.hdfs.createFile(`${dir}/probe`, 'hbackup doctor\n')],
    ['allow snapshots', () => site.hdfs.allowSnapshot(dir)],
    ['take a snapshot', () => site.hdfs.createSnapshot(dir, 'probe')],
    ['delete a snapshot', () => site.hdfs.deleteSnapshot(dir, 'probe')],
  ];
  let done = 0;
  for (const [what, step] of steps) {
    try {
      await step();
      done++;
    } catch (e) {
      const message = cleanLine((e as Error).message, 400);
      const dataNode = /the DataNode .* cannot be reached/.test(message);
      add({
        check: dataNode ? 'datanode' : 'permissions',
        level: 'fail',
        text: `as ${actorOf(site.cluster)}, cannot ${what}: ${message}`,
        ...(dataNode
          ? {}
          : { fix: `hbackup needs the HDFS superuser (or rights to allow snapshots and write /.hbackup): set clusters.${site.name}.user` }),
      });
      break;
    }
  }
  // Undone in reverse: a snapshot still there, snapshots allowed; the directory in any case (a failed
  // MKDIRS may still have made it).
  // A step of the clean-up that fails is a finding: the probe is left behind, and said where.
  const undo = async (what: string, step: () => Promise<unknown>) =>
    step().then(
      () => true,
      (e: Error) => {
        add({
          check: 'probe',
          level: 'warn',
          text: `as ${actorOf(site.cluster)}, could not ${what} of the probe ${dir}: ${cleanLine(e.message, 300)}`,
          fix: `remove it as the HDFS superuser: ${what === 'delete the snapshot' ? `hdfs dfs -deleteSnapshot ${dir} probe; ` : ''}hdfs dfsadmin -disallowSnapshot ${dir}; hdfs dfs -rm -r ${dir}`,
        });
        return false;
      },
    );
  const undone =
    (done !== 4 || (await undo('delete the snapshot', () => site.hdfs.deleteSnapshot(dir, 'probe')))) &&
    (done < 3 || (await undo('disallow snapshots', () => site.hdfs.send(ops.disallowSnapshot(dir)))));
  // The directory goes in any case (a failed MKDIRS may still have made it); only if nothing was made, it is not there.
  if (undone) {
    const there = await site.hdfs.getFileStatus(dir).catch(() => true);
    if (there) await undo('remove the directory', () => site.hdfs.delete(dir, true));
  }
  if (done === steps.length) {
    add({ check: 'datanode', level: 'ok', text: 'a DataNode took a file through WebHDFS' });
    add({ check: 'permissions', level: 'ok', text: `${actorOf(site.cluster)} can write /.hbackup, allow and take snapshots` });
  }
}

/** A tool's version line (`Hadoop 3.3.5`, `HBase 2.6.1`), or why it cannot be run. */
async function toolVersion(site: Site, tool: ToolName, io: DoctorIo, add: (x: Omit<Finding, 'site'>) => void) {
  const missing = missingTool(site.cluster, tool);
  if (missing) {
    add({ check: 'tools', level: 'fail', text: missing });
    return undefined;
  }
  const cmd = site.tool(tool, ['version']);
  const r = await io.runner(cmd, { timeoutMs: 120_000 });
  const line = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .find((l) => /^(Hadoop|HBase) \d/.test(l.trim()))
    ?.trim();
  if (r.exitCode !== 0 || !line) {
    add({
      check: 'tools',
      level: 'fail',
      text: `${tool} version did not run${causeLine(r.stderr, ': ')}`,
      fix: `check clusters.${site.name}.tools (${tool}, ssh, prefix)`,
    });
    return undefined;
  }
  add({ check: 'tools', level: 'ok', text: `${tool}: ${line}` });
  return line.split(/\s+/)[1];
}

export async function checkSite(cluster: NamedCluster, io: DoctorIo): Promise<SiteFacts> {
  const findings: Finding[] = [];
  const add = (x: Omit<Finding, 'site'>) => findings.push({ site: cluster.name, ...x });
  const facts: SiteFacts = { findings, versions: {} };
  let site: Site;
  let f: FetchLike;
  try {
    site = openSite(cluster, { fetch: io.fetch, putData: io.putData, timeoutMs: io.timeoutMs, runner: io.runner });
    f = fetchOf(cluster, { fetch: io.fetch });
  } catch (e) {
    add({ check: 'settings', level: 'fail', text: (e as Error).message });
    return facts;
  }
  if (cluster.tls?.insecure)
    add({
      check: 'tls',
      level: 'warn',
      text: 'certificates are not verified (tls.insecure)',
      fix: `give the CA in clusters.${cluster.name}.tls.ca instead`,
    });
  await endpoints(cluster, f, io, add);
  let clock: Clock;
  try {
    clock = await clockOf(site, io.now);
  } catch (e) {
    add({
      check: 'authentication',
      level: 'fail',
      text: `WebHDFS refused ${cluster.user}: ${cleanLine((e as Error).message, 240)}`,
      fix: cluster.kerberos
        ? `check clusters.${cluster.name}.kerberos (principal and keytab: klist -kt; or the ticket cache: kinit)`
        : `check clusters.${cluster.name}.user (simple authentication: user.name=); a Kerberized cluster needs clusters.${cluster.name}.kerberos`,
    });
    return facts;
  }
  const k = cluster.kerberos;
  const as = k
    ? `${k.principal ?? `the ticket cache ${k.ticketCache}`} (Kerberos: a delegation token from hadoop dtutil)`
    : `${cluster.user} (simple authentication)`;
  add({ check: 'authentication', level: 'ok', text: `WebHDFS answers ${as}` });
  const skew = clock.skewMs;
  if (skew !== undefined) {
    add(
      skew > MAX_SKEW_MS
        ? { check: 'clock', level: 'warn', text: `the clock is ${(skew / 1000).toFixed(1)} s off this host's`, fix: 'fix NTP on both' }
        : { check: 'clock', level: 'ok', text: `the clock is within ${Math.max(1, Math.ceil(skew / 1000))} s of this host's` },
    );
  }
  const base = site.hdfs.endpoint;
  // JMX and /conf may ask for SPNEGO (a Kerberized NameNode) or be closed off: then the version and the
  // open-files setting are not known, and no line is made up for them (WebHDFS answered, above).
  const [info, captures] = await Promise.all([
    jmx(f, base, 'Hadoop:service=NameNode,name=NameNodeInfo', io.timeoutMs).catch(() => undefined),
    confValue(f, base, 'dfs.namenode.snapshot.capture.openfiles', io.timeoutMs).catch(() => undefined),
  ]);
  const version = typeof info?.SoftwareVersion === 'string' && info.SoftwareVersion ? info.SoftwareVersion : undefined;
  if (version) {
    facts.versions.namenode = version;
    add({ check: 'version', level: 'ok', text: `NameNode: Hadoop ${version}` });
  }
  if (captures === 'false')
    add({
      check: 'open files',
      level: 'warn',
      text: 'snapshots do not capture files still open for writing: a file being written is copied at whatever length it has when DistCp reads it',
      fix: `set dfs.namenode.snapshot.capture.openfiles=true on ${cluster.name}'s NameNode`,
    });
  else if (captures === 'true') add({ check: 'open files', level: 'ok', text: 'snapshots capture files open for writing' });
  await writeProbe(site, `${io.now().getTime()}-${process.pid}`, add);
  const hadoop = await toolVersion(site, 'hadoop', io, add);
  const hbase = cluster.hbase ? await toolVersion(site, 'hbase', io, add) : undefined;
  Object.assign(facts.versions, { ...(hadoop ? { hadoop } : {}), ...(hbase ? { hbase } : {}) });
  return facts;
}
