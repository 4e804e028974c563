#!/usr/bin/env node
// @ts-check
// The sandbox: two real Hadoop + HBase sites on this machine, each as its own JVM processes
// (one for HDFS: NameNode + DataNode via MiniDFSClusterManager; one for HBase: ZooKeeper +
// HMaster + RegionServer via `HMaster start` in local mode on that HDFS), so a test can kill a
// site like a crash; on request, a YARN ResourceManager + NodeManager per site (two more JVMs), so
// DistCp runs as a real YARN job. Usage: node test/cluster/sandbox.js deps|up [--yarn]|down|status|
// kill <site>|start <site>|yarn <site>|yarn-stop <site>
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classesDir, SITE_NAMES, sandboxDir, siteLayout, writeClustersYaml, writeSiteFiles } from './layout.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const classpathFile = path.join(here, 'target', 'classpath.txt');

/** @param {string} msg */
export const say = (msg) => process.stderr.write(`[sandbox] ${msg}\n`);

/**
 * Resolve the dependencies of a pom under test/cluster with Maven, writing their classpath to
 * `outFile` (under test/cluster/target); the classpath.
 * @param {string} pom @param {string} outFile
 */
export function mavenClasspath(pom, outFile) {
  say(`resolving Maven dependencies (test/cluster/${pom})…`);
  const r = spawnSync('mvn', ['-B', '-q', '-f', path.join(here, pom), 'dependency:build-classpath', `-Dmdep.outputFile=${outFile}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`mvn dependency:build-classpath of test/cluster/${pom} failed (exit ${r.status})`);
  return fs.readFileSync(outFile, 'utf8').trim();
}

/** Resolve the Maven dependencies and write the classpath file (idempotent). */
export function resolveDeps({ force = false } = {}) {
  if (!force && fs.existsSync(classpathFile) && fs.existsSync(classesDir)) {
    const classpath = fs.readFileSync(classpathFile, 'utf8').trim();
    if (launchersStale()) compileLaunchers(classpath);
    return classpath;
  }
  const classpath = mavenClasspath('pom.xml', classpathFile);
  compileLaunchers(classpath);
  return classpath;
}

/** The sandbox's own launchers' sources (test/cluster/src). */
function launcherSources() {
  /** @type {string[]} */
  const sources = [];
  /** @param {string} d */
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.java')) sources.push(p);
    }
  };
  walk(path.join(here, 'src'));
  return sources;
}

/** Is a launcher's class missing or older than its source? */
function launchersStale() {
  return launcherSources().some((src) => {
    const cls = path.join(classesDir, path.relative(path.join(here, 'src'), src).replace(/\.java$/, '.class'));
    return !fs.existsSync(cls) || fs.statSync(cls).mtimeMs < fs.statSync(src).mtimeMs;
  });
}

/** Compile the sandbox's own launchers (test/cluster/src) against the classpath. */
export function compileLaunchers(classpath) {
  const sources = launcherSources();
  const javac = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
  const r = spawnSync(javac, ['-nowarn', '-d', classesDir, '-cp', classpath, ...sources], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`javac failed (exit ${r.status})`);
}

/** @param {number} pid */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file */
export function readPid(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} url */
async function httpOk(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const body = await res.text();
    return { ok: res.ok, body };
  } catch {
    return { ok: false, body: '' };
  }
}

/** @param {ReturnType<typeof siteLayout>} s */
export async function webhdfsUp(s) {
  const r = await httpOk(`http://127.0.0.1:${s.ports.nnHttp}/webhdfs/v1/?op=GETFILESTATUS&user.name=${s.user}`);
  return r.ok;
}

/** @param {ReturnType<typeof siteLayout>} s */
export async function hbaseMasterActive(s) {
  const r = await httpOk(`http://127.0.0.1:${s.ports.hbaseMasterInfo}/jmx?qry=Hadoop:service=HBase,name=Master,sub=Server`);
  if (!r.ok) return false;
  try {
    const bean = JSON.parse(r.body).beans?.[0] ?? {};
    return String(bean['tag.isActiveMaster']) === 'true' && Number(bean.numRegionServers) >= 1;
  } catch {
    return false;
  }
}

/**
 * @param {() => Promise<boolean>} check
 * @param {string} what
 * @param {number} pid
 * @param {string} log
 */
export async function waitFor(check, what, pid, log, timeoutMs = 240_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    if (!alive(pid)) throw new Error(`${what}: the JVM (pid ${pid}) exited; see ${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000}s; see ${log}`);
}

/**
 * Start one JVM detached, its output to a log file; returns its pid.
 * @param {ReturnType<typeof siteLayout>} s @param {string} name @param {string} main @param {string[]} args @param {string} heap
 * @param {NodeJS.ProcessEnv} [env]
 */
export function startJvm(s, name, main, args, heap, env = process.env) {
  const log = path.join(s.logDir, `${name}.log`);
  const out = fs.openSync(log, 'a');
  const argv = [
    ...s.jvmOpts,
    `-Xmx${heap}`,
    `-Dlog4j.configuration=file:${s.serverLog4j}`,
    `-Dhbackup.sandbox.site=${s.name}`,
    '-cp',
    `${s.confDir}:${classesDir}:${s.classpath}`,
    main,
    ...args,
  ];
  const child = spawn(s.java, argv, { detached: true, stdio: ['ignore', out, out], cwd: s.dir, env });
  child.unref();
  fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start ${name} for ${s.name}`);
  fs.writeFileSync(path.join(s.pidDir, `${name}.pid`), `${child.pid}\n`);
  return { pid: child.pid, log };
}

/** @param {ReturnType<typeof siteLayout>} s */
async function startHdfs(s) {
  const running = readPid(path.join(s.pidDir, 'hdfs.pid'));
  if (running) return waitFor(() => webhdfsUp(s), `${s.name} HDFS`, running, path.join(s.logDir, 'hdfs.log'));
  const fresh = !fs.existsSync(path.join(s.dfsDir, 'name-0-1', 'current', 'VERSION'));
  const args = [
    '-nnport',
    String(s.ports.nnRpc),
    '-httpport',
    String(s.ports.nnHttp),
    '-datanodes',
    '1',
    '-writeDetails',
    path.join(s.dir, 'hdfs-details.json'),
    ...s.hdfsServerProps.flatMap(([k, v]) => ['-D', `${k}=${v}`]),
  ];
  if (fresh) args.unshift('-format');
  const { pid, log } = startJvm(s, 'hdfs', 'org.apache.hadoop.test.MiniDFSClusterManager', args, s.heap.hdfs);
  await waitFor(() => webhdfsUp(s), `${s.name} HDFS`, pid, log);
}

/** @param {ReturnType<typeof siteLayout>} s */
async function startHbase(s) {
  const running = readPid(path.join(s.pidDir, 'hbase.pid'));
  if (running) return waitFor(() => hbaseMasterActive(s), `${s.name} HBase master`, running, path.join(s.logDir, 'hbase.log'));
  // ZooKeeper holds nothing HBase 2 cannot rebuild: start it clean so a crashed site's
  // ephemeral nodes do not delay the restart.
  fs.rmSync(s.zkDir, { recursive: true, force: true });
  const args = [...s.hbaseServerProps.flatMap(([k, v]) => ['-D', `${k}=${v}`]), 'start'];
  const { pid, log } = startJvm(s, 'hbase', 'org.apache.hadoop.hbase.master.HMaster', args, s.heap.hbase);
  await waitFor(() => hbaseMasterActive(s), `${s.name} HBase master`, pid, log);
}

/** The JDK the sandbox runs on, for the NodeManager's containers (they start `$JAVA_HOME/bin/java`). */
function javaHome() {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const r = spawnSync('java', ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const m = /java\.home = (.+)/.exec(r.stderr ?? '');
  if (!m) throw new Error('cannot tell where java lives; set JAVA_HOME');
  return m[1].trim();
}

/** @param {ReturnType<typeof siteLayout>} s */
export async function yarnUp(s) {
  const r = await httpOk(`http://127.0.0.1:${s.ports.rmHttp}/ws/v1/cluster/nodes?states=RUNNING`);
  if (!r.ok) return false;
  try {
    return (JSON.parse(r.body).nodes?.node ?? []).length >= 1;
  } catch {
    return false;
  }
}

/**
 * Start a site's YARN: a ResourceManager and a NodeManager, each its own JVM (conf-yarn). Tests
 * that need DistCp as a real YARN job start it; the site's HDFS must be up.
 * @param {string} name
 */
export async function startYarn(name) {
  const s = siteLayout(name, resolveDeps());
  writeSiteFiles(s);
  const t0 = Date.now();
  const env = { ...process.env, JAVA_HOME: javaHome(), HADOOP_CONF_DIR: s.yarnConfDir };
  const yarnSite = { ...s, confDir: s.yarnConfDir };
  for (const [proc, main] of [
    ['rm', 'org.apache.hadoop.yarn.server.resourcemanager.ResourceManager'],
    ['nm', 'org.apache.hadoop.yarn.server.nodemanager.NodeManager'],
  ]) {
    if (readPid(path.join(s.pidDir, `${proc}.pid`))) continue;
    startJvm(yarnSite, proc, main, [], s.heap.yarn, env);
  }
  const pid = readPid(path.join(s.pidDir, 'nm.pid')) ?? 0;
  await waitFor(() => yarnUp(s), `${name} YARN`, pid, path.join(s.logDir, 'nm.log'), 120_000);
  return { site: name, seconds: (Date.now() - t0) / 1000, resourceManager: `http://127.0.0.1:${s.ports.rmHttp}` };
}

/** @param {string} name */
export async function stopYarn(name) {
  await stopProcs(siteLayout(name, ''), ['nm', 'rm'], false);
}

/** @param {string} name */
export async function startSite(name) {
  const classpath = resolveDeps();
  const s = siteLayout(name, classpath);
  writeSiteFiles(s);
  const t0 = Date.now();
  await startHdfs(s);
  await startHbase(s);
  return { site: name, seconds: (Date.now() - t0) / 1000 };
}

/**
 * Stop a site's JVMs (YARN's first: the NodeManager ends its containers as it stops). `crash` sends
 * SIGKILL at once, like a machine dying.
 * @param {string} name @param {{crash?: boolean}} [opts]
 */
export async function stopSite(name, { crash = false } = {}) {
  await stopProcs(siteLayout(name, ''), ['nm', 'rm', 'hbase', 'hdfs'], crash);
}

/** @param {ReturnType<typeof siteLayout>} s @param {string[]} procs @param {boolean} crash */
export async function stopProcs(s, procs, crash) {
  for (const proc of procs) {
    const pidFile = path.join(s.pidDir, `${proc}.pid`);
    const pid = readPid(pidFile);
    if (pid) {
      try {
        process.kill(-pid, crash ? 'SIGKILL' : 'SIGTERM');
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + 30_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (alive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      while (alive(pid)) await new Promise((r) => setTimeout(r, 100));
    }
    fs.rmSync(pidFile, { force: true });
  }
}

/** Both sites; with `yarn`, each with its ResourceManager and NodeManager too. */
export async function up({ yarn = false } = {}) {
  const t0 = Date.now();
  const classpath = resolveDeps();
  for (const name of SITE_NAMES) writeSiteFiles(siteLayout(name, classpath));
  writeClustersYaml(SITE_NAMES.map((n) => siteLayout(n, classpath)));
  // The two sites start side by side; each waits for its own HDFS before its HBase.
  const results = await Promise.all(SITE_NAMES.map((n) => startSite(n)));
  for (const r of results) say(`${r.site}: up (${r.seconds.toFixed(1)}s)`);
  if (yarn) {
    for (const r of await Promise.all(SITE_NAMES.map((n) => startYarn(n)))) {
      say(`${r.site}: YARN up (${r.seconds.toFixed(1)}s), ResourceManager ${r.resourceManager}`);
    }
  }
  say(`sandbox up in ${((Date.now() - t0) / 1000).toFixed(1)}s; clusters file: ${path.join(sandboxDir(), 'clusters.yaml')}`);
  return { seconds: (Date.now() - t0) / 1000, sites: results };
}

export async function down({ wipe = false } = {}) {
  // The extra sites (ha.js, one.js) too, if a test left them running.
  await Promise.all([...SITE_NAMES, 'ha', 'box', 'tls', 'krb'].map((n) => stopSite(n)));
  await stopProcs(siteLayout('krb', ''), ['kdc'], false);
  if (wipe) fs.rmSync(sandboxDir(), { recursive: true, force: true });
}

export async function status() {
  const rows = [];
  for (const name of SITE_NAMES) {
    const s = siteLayout(name, '');
    rows.push({
      site: name,
      hdfsPid: readPid(path.join(s.pidDir, 'hdfs.pid')) ?? null,
      hbasePid: readPid(path.join(s.pidDir, 'hbase.pid')) ?? null,
      webhdfs: `http://127.0.0.1:${s.ports.nnHttp}`,
      webhdfsUp: await webhdfsUp(s),
      hbaseMasterActive: await hbaseMasterActive(s),
    });
  }
  return rows;
}

async function main() {
  const [cmd, arg] = process.argv.slice(2);
  const needSite = () => {
    if (!arg || !SITE_NAMES.includes(arg)) throw new Error(`name a site: ${SITE_NAMES.join(' | ')}`);
    return arg;
  };
  switch (cmd) {
    case 'deps':
      resolveDeps({ force: true });
      break;
    case 'up':
      await up({ yarn: arg === '--yarn' });
      break;
    case 'yarn': {
      const r = await startYarn(needSite());
      say(`${arg}: YARN up (${r.seconds.toFixed(1)}s), ResourceManager ${r.resourceManager}`);
      break;
    }
    case 'yarn-stop':
      await stopYarn(needSite());
      say(`${arg}: YARN stopped`);
      break;
    case 'down':
      await down({ wipe: arg === '--wipe' });
      say('sandbox down');
      break;
    case 'kill':
      await stopSite(needSite(), { crash: true });
      say(`${arg}: killed (SIGKILL)`);
      break;
    case 'stop':
      await stopSite(needSite());
      say(`${arg}: stopped`);
      break;
    case 'start': {
      const r = await startSite(needSite());
      say(`${arg}: up (${r.seconds.toFixed(1)}s)`);
      break;
    }
    case 'status': {
      const rows = await status();
      for (const r of rows) {
        console.log(
          `${r.site.padEnd(10)} webhdfs ${r.webhdfsUp ? 'up  ' : 'DOWN'} ${r.webhdfs}  ` +
            `hbase master ${r.hbaseMasterActive ? 'active' : 'DOWN'}  pids hdfs=${r.hdfsPid ?? '-'} hbase=${r.hbasePid ?? '-'}`,
        );
      }
      if (rows.some((r) => !r.webhdfsUp || !r.hbaseMasterActive)) process.exitCode = 1;
      break;
    }
    default:
      console.error(
        'usage: sandbox.js deps | up [--yarn] | down [--wipe] | status | kill <site> | stop <site> | start <site> | yarn <site> | yarn-stop <site>',
      );
      process.exitCode = 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    say(`error: ${e.message}`);
    process.exit(1);
  });
}
