// @ts-check
// A real Hive per sandbox site, started only by the tests and the demo that need it: HiveServer2
// 4.0.1 as its own JVM, its metastore embedded on a Derby database under the site's directory, its
// warehouse on the site's HDFS, queries run in local MapReduce. Its jars (hive/pom.xml) are
// resolved the first time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteLayout, siteXml } from './layout.js';
import { krbKdc } from './one.js';
import { mavenClasspath, readPid, say, startJvm, stopProcs, waitFor } from './sandbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const hiveClasspathFile = path.join(here, 'target', 'hive-classpath.txt');
const beelineClasspathFile = path.join(here, 'target', 'beeline-classpath.txt');

/** A classpath resolved once: read from its file, or resolved from its pom the first time. @param {string} pom @param {string} file */
const resolvedOnce = (pom, file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : mavenClasspath(pom, file));

/** Hive's jars (hive/pom.xml); their classpath. */
export const resolveHive = () => resolvedOnce('hive/pom.xml', hiveClasspathFile);

/** Beeline's jars (beeline/pom.xml); their classpath. */
export const resolveBeeline = () => resolvedOnce('beeline/pom.xml', beelineClasspathFile);

const metastoreHome = path.join(here, 'target', 'metastore-home');
const schemaScripts = path.join(metastoreHome, 'scripts', 'metastore', 'upgrade', 'derby');

/**
 * The metastore's schema scripts (the standalone metastore's binary tarball on Maven Central holds
 * them; only its Derby scripts are kept), fetched the first time.
 */
export function resolveSchemaScripts() {
  if (fs.existsSync(path.join(schemaScripts, 'hive-schema-4.0.0.derby.sql'))) return metastoreHome;
  say('fetching the Hive metastore schema scripts…');
  const download = path.join(here, 'target', 'metastore-download');
  fs.rmSync(download, { recursive: true, force: true });
  const artifact = 'org.apache.hive:hive-standalone-metastore-server:4.0.1:tar.gz:bin';
  const mvn = spawnSync(
    'mvn',
    ['-B', '-q', '-f', path.join(here, 'hive', 'pom.xml'), 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${download}`],
    {
      stdio: 'inherit',
    },
  );
  if (mvn.status !== 0) throw new Error(`mvn dependency:copy of ${artifact} failed (exit ${mvn.status})`);
  const tarball = fs.readdirSync(download).find((f) => f.endsWith('.tar.gz'));
  if (!tarball) throw new Error(`mvn dependency:copy of ${artifact} gave no tarball`);
  fs.mkdirSync(metastoreHome, { recursive: true });
  const tar = spawnSync(
    'tar',
    [
      'xzf',
      path.join(download, tarball),
      '-C',
      metastoreHome,
      '--strip-components=1',
      '--wildcards',
      '*/scripts/metastore/upgrade/derby/*',
    ],
    {
      stdio: 'inherit',
    },
  );
  fs.rmSync(download, { recursive: true, force: true });
  if (tar.status !== 0) throw new Error(`could not unpack the metastore's schema scripts (tar exit ${tar.status})`);
  return metastoreHome;
}

/**
 * Create the site's metastore database with Hive's own schema tool (the transaction tables
 * included, which DataNucleus' automatic schema lacks: ACID tables need them). A database made
 * before without them is replaced, and the warehouse directories of its databases removed.
 * @param {ReturnType<typeof hiveLayout>} h @param {string} classpath
 */
function initSchema(h, classpath) {
  const marker = path.join(h.dir, 'schema-4.0.0');
  if (fs.existsSync(marker) && fs.existsSync(h.derby)) return;
  const home = resolveSchemaScripts();
  fs.rmSync(h.derby, { recursive: true, force: true });
  // A new metastore knows no database: the directories an earlier one made for its databases go too
  // (Hive refuses to create a database over an existing directory).
  hdfsCommand(h, ['dfs', '-rm', '-r', '-f', '-skipTrash', h.warehouse, h.external], 'could not remove the old warehouse directories');
  // Kerberized, HiveServer2 is hive (not the superuser): the warehouse is its own, the scratch space everyone's.
  if (h.kerberos) {
    hdfsCommand(h, ['dfs', '-mkdir', '-p', h.warehouse, h.external, '/tmp'], 'could not make the warehouse');
    hdfsCommand(h, ['dfs', '-chown', '-R', 'hive', '/warehouse'], 'could not give the warehouse to hive');
    hdfsCommand(h, ['dfs', '-chmod', '1777', '/tmp'], 'could not open /tmp to all');
  }
  const log = path.join(h.site.logDir, 'hive-schema.log');
  const out = fs.openSync(log, 'w');
  const r = spawnSync(
    h.site.java,
    [
      ...h.site.jvmOpts,
      '-Xmx512m',
      '-cp',
      `${h.confDir}:${h.site.confDir}:${classpath}`,
      'org.apache.hadoop.hive.metastore.tools.schematool.MetastoreSchemaTool',
      '-dbType',
      'derby',
      '-initSchema',
    ],
    { stdio: ['ignore', out, out], cwd: h.dir, env: { ...process.env, METASTORE_HOME: home } },
  );
  fs.closeSync(out);
  if (r.status !== 0) throw new Error(`${h.site.name}: the metastore's schema tool failed (exit ${r.status}); see ${log}`);
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
}

/** Write the site's `bin/beeline`: Beeline with the site's Hadoop configuration. @param {string} name */
export function writeBeeline(name) {
  const h = hiveLayout(name);
  resolveBeeline();
  const s = h.site;
  const file = path.join(s.binDir, 'beeline');
  fs.mkdirSync(s.binDir, { recursive: true });
  fs.writeFileSync(
    file,
    `#!/usr/bin/env bash
# 'beeline' for sandbox site ${s.name}: Hive's JDBC shell with this site's Hadoop configuration.
set -euo pipefail
java_bin="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java_bin" ${s.jvmOpts.join(' ')} -Xmx${s.heap.tool} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \\
  -Dlog4j.configurationFile=${JSON.stringify(path.join(h.confDir, 'beeline-log4j2.properties'))} \\
  -cp "${s.confDir}:$(cat ${JSON.stringify(beelineClasspathFile)})" org.apache.hive.beeline.BeeLine "$@"
`,
    { mode: 0o755 },
  );
  fs.mkdirSync(h.confDir, { recursive: true });
  fs.writeFileSync(
    path.join(h.confDir, 'beeline-log4j2.properties'),
    'status = error\nappender.console.type = Console\nappender.console.name = err\nappender.console.target = SYSTEM_ERR\n' +
      'appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %m%n\n' +
      'rootLogger.level = error\nrootLogger.appenderRef.err.ref = err\n',
  );
  return file;
}

/**
 * What the Kerberized site's Hive adds (undefined elsewhere): every JVM reads the KDC's krb5.conf;
 * HiveServer2 asks for Kerberos as hive/localhost (its keytab the daemons'); the sandbox's own HDFS
 * commands log in as the superuser hdfs from its keytab (Hadoop's login reads KRB5PRINCIPAL and KRB5KEYTAB).
 * @param {string} name
 */
function kerberosOf(name) {
  if (name !== 'krb') return undefined;
  const k = krbKdc();
  const principal = `hive/localhost@${k.realm}`;
  return {
    principal,
    jvmOpts: [`-Djava.security.krb5.conf=${k.krb5conf}`],
    props: {
      'hive.server2.authentication': 'KERBEROS',
      'hive.server2.authentication.kerberos.principal': principal,
      'hive.server2.authentication.kerberos.keytab': k.keytabs.service,
    },
    env: { KRB5PRINCIPAL: `hdfs@${k.realm}`, KRB5KEYTAB: k.keytabs.hbackup },
  };
}

/** Where a site's Hive lives: its port (the site's base + 50), configuration, Derby database, HDFS paths. @param {string} name */
export function hiveLayout(name) {
  const s = siteLayout(name, '');
  const kerberos = kerberosOf(name);
  const dir = path.join(s.dir, 'hive');
  const port = s.ports.hbaseMaster + 50;
  return {
    site: kerberos ? { ...s, jvmOpts: [...s.jvmOpts, ...kerberos.jvmOpts] } : s,
    kerberos,
    dir,
    port,
    confDir: path.join(dir, 'conf'),
    derby: path.join(dir, 'metastore_db'),
    jdbcUrl: `jdbc:hive2://127.0.0.1:${port}/default${kerberos ? `;principal=${kerberos.principal}` : ''}`,
    warehouse: '/warehouse/managed',
    external: '/warehouse/external',
  };
}

/**
 * One of the site's own HDFS commands (logged in as its superuser where Kerberized); its last error line when it fails.
 * @param {ReturnType<typeof hiveLayout>} h @param {string[]} args @param {string} what
 */
function hdfsCommand(h, args, what) {
  const r = spawnSync(path.join(h.site.binDir, 'hdfs'), args, { encoding: 'utf8', env: { ...process.env, ...h.kerberos?.env } });
  if (r.status !== 0) throw new Error(`${h.site.name}: ${what} (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
}

/** Is HiveServer2 taking connections? */
function portOpen(port) {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port }, () => {
      c.end();
      resolve(true);
    });
    c.on('error', () => resolve(false));
    c.setTimeout(2000, () => {
      c.destroy();
      resolve(false);
    });
  });
}

/** @param {ReturnType<typeof hiveLayout>} h */
function writeHiveSite(h) {
  fs.mkdirSync(h.confDir, { recursive: true });
  fs.writeFileSync(
    path.join(h.confDir, 'hive-site.xml'),
    siteXml({
      'hive.metastore.uris': '',
      'javax.jdo.option.ConnectionURL': `jdbc:derby:;databaseName=${h.derby};create=true`,
      'javax.jdo.option.ConnectionDriverName': 'org.apache.derby.jdbc.EmbeddedDriver',
      'hive.metastore.schema.verification': 'false',
      'hive.metastore.warehouse.dir': h.warehouse,
      'hive.metastore.warehouse.external.dir': h.external,
      'hive.exec.scratchdir': '/tmp/hive',
      'hive.exec.local.scratchdir': path.join(h.dir, 'scratch'),
      'hive.downloaded.resources.dir': path.join(h.dir, 'resources'),
      'hive.querylog.location': path.join(h.dir, 'querylog'),
      'hive.server2.logging.operation.log.location': path.join(h.dir, 'operation-logs'),
      'hive.execution.engine': 'mr',
      'mapreduce.framework.name': 'local',
      'hive.server2.enable.doAs': 'false',
      'hive.server2.thrift.bind.host': '127.0.0.1',
      'hive.server2.thrift.port': String(h.port),
      'hive.server2.webui.port': '0',
      'hive.support.concurrency': 'false',
      'metastore.create.as.acid': 'false',
      'hive.create.as.insert.only': 'false',
      'hive.stats.autogather': 'false',
      ...h.kerberos?.props,
    }),
  );
}

/** Start a site's HiveServer2 (its HDFS must be up); resolves once it takes connections. */
export async function startHive(name) {
  const h = hiveLayout(name);
  const classpath = resolveHive();
  writeHiveSite(h);
  const t0 = Date.now();
  let pid = readPid(path.join(h.site.pidDir, 'hive.pid'));
  if (!pid) initSchema(h, classpath);
  const log = path.join(h.site.logDir, 'hive.log');
  if (!pid) {
    const site = { ...h.site, classpath, confDir: `${h.confDir}:${h.site.confDir}` };
    pid = startJvm(site, 'hive', 'org.apache.hive.service.server.HiveServer2', [], '1g').pid;
  }
  await waitFor(() => portOpen(h.port), `${name} HiveServer2`, pid, log, 300_000);
  return { site: name, seconds: (Date.now() - t0) / 1000, jdbcUrl: h.jdbcUrl };
}

/** @param {string} name */
export async function stopHive(name) {
  await stopProcs(siteLayout(name, ''), ['hive'], false);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // node test/cluster/hive.js deps | up <site> | down <site>
  const [cmd, site = 'east'] = process.argv.slice(2);
  const run =
    cmd === 'deps'
      ? async () => {
          resolveHive();
          resolveBeeline();
          resolveSchemaScripts();
        }
      : cmd === 'up'
        ? async () => {
            writeBeeline(site);
            process.stderr.write(`[sandbox] ${JSON.stringify(await startHive(site))}\n`);
          }
        : cmd === 'down'
          ? () => stopHive(site)
          : () => Promise.reject(new Error('usage: hive.js deps | up <site> | down <site>'));
  run().catch((e) => {
    process.stderr.write(`[sandbox] error: ${e.message}\n`);
    process.exit(1);
  });
}
