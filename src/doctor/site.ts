/**
 * What `doctor` checks of one cluster, each finding one line with its fix: every NameNode endpoint
 * (and which is active), authentication, the clock, the NameNode's version and whether snapshots
 * capture open files, a DataNode reached through a real write (a probe directory, a file, a
 * snapshot, all removed again), and each tool with its version.
 */
import type { NamedCluster } from '../config/load.js';
import { webhdfsUrls } from '../config/load.js';
import { cleanLine, lastLine } from '../errors.js';
import type { Runner } from '../exec/runner.js';
import { ops } from '../hdfs/requests.js';
import type { FetchLike } from '../hdfs/webhdfs.js';
import { networkError } from '../http/read.js';
import { clockSkewMs, missingTool } from '../sites/checks.js';
import { fetchOf, openSite, type Site, type ToolName } from '../sites/site.js';

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
  runner: Runner;
  now: () => Date;
  timeoutMs: number;
}

const MAX_SKEW_MS = 30_000;

async function get(fetchImpl: FetchLike, url: string, timeoutMs: number, accept = 'application/json'): Promise<string | undefined> {
  const res = await fetchImpl(url, { headers: { Accept: accept }, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return res.ok ? text : undefined;
}

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
        const text = await get(f, `${base}/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus`, io.timeoutMs);
        // JMX behind SPNEGO (a Kerberized cluster) says nothing: WebHDFS itself, with the token, does.
        const state = (text ? /"State"\s*:\s*"(\w+)"/.exec(text)?.[1] : undefined) ?? (await stateOverWebHdfs(c, base, io));
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
  let failed = false;
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (e) {
      failed = true;
      const message = cleanLine((e as Error).message, 400);
      const dataNode = /the DataNode .* cannot be reached/.test(message);
      add({
        check: dataNode ? 'datanode' : 'permissions',
        level: 'fail',
        text: `as ${site.cluster.kerberos?.principal ?? site.cluster.user}, cannot ${what}: ${message}`,
        ...(dataNode
          ? {}
          : { fix: `hbackup needs the HDFS superuser (or rights to allow snapshots and write /.hbackup): set clusters.${site.name}.user` }),
      });
      break;
    }
  }
  await site.hdfs.deleteSnapshot(dir, 'probe').catch(() => undefined);
  await site.hdfs.send(ops.disallowSnapshot(dir)).catch(() => undefined);
  await site.hdfs.delete(dir, true).catch(() => undefined);
  if (!failed) {
    add({ check: 'datanode', level: 'ok', text: 'a DataNode took a file through WebHDFS' });
    const who = site.cluster.kerberos?.principal ?? site.cluster.user;
    add({ check: 'permissions', level: 'ok', text: `${who} can write /.hbackup, allow and take snapshots` });
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
      text: `${tool} version did not run${lastLine(r.stderr, ': ')}`,
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
    site = openSite(cluster, { fetch: io.fetch, timeoutMs: io.timeoutMs, runner: io.runner });
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
  const before = io.now().getTime();
  try {
    await site.hdfs.getFileStatus('/');
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
  const after = io.now().getTime();
  const k = cluster.kerberos;
  const as = k
    ? `${k.principal ?? `the ticket cache ${k.ticketCache}`} (Kerberos: a delegation token from hadoop dtutil)`
    : `${cluster.user} (simple authentication)`;
  add({ check: 'authentication', level: 'ok', text: `WebHDFS answers ${as}` });
  const server = site.hdfs.lastServerDate?.getTime();
  if (server !== undefined && !Number.isNaN(server)) {
    const skew = clockSkewMs(before, after, server);
    add(
      skew > MAX_SKEW_MS
        ? { check: 'clock', level: 'warn', text: `the clock is ${(skew / 1000).toFixed(1)} s off this host's`, fix: 'fix NTP on both' }
        : { check: 'clock', level: 'ok', text: `the clock is within ${Math.max(1, Math.ceil(skew / 1000))} s of this host's` },
    );
  }
  const base = site.hdfs.endpoint;
  const [info, capture] = await Promise.all([
    get(f, `${base}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo`, io.timeoutMs).catch(() => undefined),
    get(f, `${base}/conf?name=dfs.namenode.snapshot.capture.openfiles`, io.timeoutMs).catch(() => undefined),
  ]);
  const version = info ? /"SoftwareVersion"\s*:\s*"([^"]+)"/.exec(info)?.[1] : undefined;
  if (version) {
    facts.versions.namenode = version;
    add({ check: 'version', level: 'ok', text: `NameNode: Hadoop ${version}` });
  }
  const captures = capture ? /"value"\s*:\s*"(true|false)"/.exec(capture)?.[1] : undefined;
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
