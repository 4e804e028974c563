// @ts-check
// Where each sandbox site lives (ports, directories) and the files written for it:
// server and client configuration, wrapper scripts running the real Hadoop/HBase main classes,
// and the clusters file hbackup reads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the sandbox's own Java classes (src/) are compiled to. */
export const classesDir = path.join(here, 'target', 'classes');
const repoRoot = path.resolve(here, '..', '..');

/** The two sites. `east` starts as the primary, `west` as the secondary; roles can change. */
export const SITE_NAMES = ['east', 'west'];
/**
 * Extra HDFS-only sites, started by the tests that need them: `ha`, an HA pair of NameNodes; `box`,
 * a DataNode registered under a host name of its own, as in a container; `tls`, HTTPS only; `krb`,
 * Kerberized (with a KDC of its own); `kms`, with encryption zones (and a key server of its own).
 */
const INITIAL_ROLE = {
  east: 'primary',
  west: 'secondary',
  ha: 'primary',
  box: 'secondary',
  tls: 'secondary',
  krb: 'secondary',
  kms: 'primary',
};
const DEFAULT_PORT_BASE = { east: 20000, west: 21000, ha: 22000, box: 23000, tls: 24000, krb: 25000, kms: 26000 };
const HA_NAMESERVICE = 'hasite';

export const sandboxDir = () => path.resolve(process.env.HBACKUP_SANDBOX_DIR ?? path.join(repoRoot, '.sandbox'));

/** Java 17 needs these for Hadoop and HBase (as their own launch scripts pass). */
const JDK17_OPTS = [
  '-Djava.net.preferIPv4Stack=true',
  '--add-modules',
  'jdk.unsupported',
  ...[
    'java.io',
    'java.nio',
    'java.lang',
    'java.lang.reflect',
    'java.math',
    'java.net',
    'java.text',
    'java.util',
    'java.util.concurrent',
    'java.util.concurrent.atomic',
    'java.util.zip',
    'jdk.internal.ref',
    'sun.nio.ch',
    'sun.security.util',
    'sun.security.x509',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`),
  ...['jdk.internal.misc', 'sun.net.dns', 'sun.net.util'].map((p) => `--add-exports=java.base/${p}=ALL-UNNAMED`),
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true',
];

/** @param {string} name @param {string} classpath */
export function siteLayout(name, classpath) {
  const envName = name.toUpperCase();
  const base = Number(
    process.env[`HBACKUP_SANDBOX_${envName}_PORT_BASE`] ??
      DEFAULT_PORT_BASE[/** @type {'east'|'west'|'ha'|'box'|'tls'|'krb'|'kms'} */ (name)],
  );
  const ports = {
    hbaseMaster: base,
    hbaseMasterInfo: base + 10,
    nnRpc: base + 20,
    regionServer: base + 30,
    regionServerInfo: base + 40,
    nnHttp: base + 70,
    zk: base + 81,
    nn2Rpc: base + 21,
    nn2Http: base + 71,
    // YARN (started only by the tests that need it): ResourceManager and one NodeManager.
    rm: base + 32,
    rmScheduler: base + 34,
    rmTracker: base + 35,
    rmAdmin: base + 36,
    nm: base + 37,
    nmLocalizer: base + 38,
    nmHttp: base + 42,
    shuffle: base + 43,
    rmHttp: base + 88,
  };
  const ha = name === 'ha' ? { nameservice: HA_NAMESERVICE } : undefined;
  const dir = path.join(sandboxDir(), name);
  const user = os.userInfo().username;
  const fsUri = ha ? `hdfs://${ha.nameservice}` : `hdfs://127.0.0.1:${ports.nnRpc}`;
  const s = {
    name,
    role: INITIAL_ROLE[/** @type {'east'|'west'|'ha'|'box'|'tls'|'krb'|'kms'} */ (name)],
    dir,
    user,
    ports,
    classpath,
    fsUri,
    ha,
    confDir: path.join(dir, 'conf'),
    /** The same client configuration, with MapReduce jobs (DistCp) submitted to this site's YARN. */
    yarnConfDir: path.join(dir, 'conf-yarn'),
    yarnDir: path.join(dir, 'yarn'),
    binDir: path.join(dir, 'bin'),
    logDir: path.join(dir, 'logs'),
    pidDir: path.join(dir, 'pids'),
    dfsDir: path.join(dir, 'dfs'),
    zkDir: path.join(dir, 'zk'),
    serverLog4j: path.join(dir, 'conf', 'log4j-server.properties'),
    java: process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java',
    jvmOpts: JDK17_OPTS,
    /** More client settings of the site's tools (a Kerberized site's). @type {{core: Record<string, string>, hdfs: Record<string, string>}} */
    clientProps: { core: {}, hdfs: {} },
    heap: {
      hdfs: process.env.HBACKUP_SANDBOX_HDFS_HEAP ?? '512m',
      hbase: process.env.HBACKUP_SANDBOX_HBASE_HEAP ?? '768m',
      yarn: process.env.HBACKUP_SANDBOX_YARN_HEAP ?? '384m',
      tool: process.env.HBACKUP_SANDBOX_TOOL_HEAP ?? '512m',
    },
    /** @type {[string, string][]} */
    hdfsServerProps: [
      ['hdfs.minidfs.basedir', path.join(dir, 'dfs')],
      ['hadoop.tmp.dir', path.join(dir, 'tmp')],
      ['dfs.replication', '1'],
      ['dfs.namenode.acls.enabled', 'true'],
      ['dfs.permissions.enabled', 'true'],
      ['dfs.namenode.snapshotdiff.allow.snap-root-descendant', 'true'],
      // As doctor recommends: a file still being written is captured at its length at the snapshot.
      ['dfs.namenode.snapshot.capture.openfiles', 'true'],
      [`hadoop.proxyuser.${user}.hosts`, '*'],
      [`hadoop.proxyuser.${user}.groups`, '*'],
    ],
    /** @type {[string, string][]} */
    hbaseServerProps: [
      ['hbase.cluster.distributed', 'false'],
      ['hbase.rootdir', `${fsUri}/hbase`],
      ['hbase.tmp.dir', path.join(dir, 'hbase-tmp')],
      ['hbase.zookeeper.quorum', '127.0.0.1'],
      ['hbase.zookeeper.property.clientPort', String(ports.zk)],
      ['hbase.zookeeper.property.dataDir', path.join(dir, 'zk')],
      ['hbase.localcluster.assign.random.ports', 'false'],
      ['hbase.master.port', String(ports.hbaseMaster)],
      ['hbase.master.info.port', String(ports.hbaseMasterInfo)],
      ['hbase.master.info.bindAddress', '127.0.0.1'],
      ['hbase.regionserver.port', String(ports.regionServer)],
      ['hbase.regionserver.info.port', String(ports.regionServerInfo)],
      ['hbase.regionserver.info.bindAddress', '127.0.0.1'],
      ['hbase.master.hostname', '127.0.0.1'],
      ['hbase.unsafe.regionserver.hostname', '127.0.0.1'],
      ['hbase.wal.provider', 'filesystem'],
      ['hbase.regionserver.handler.count', '10'],
      ['hbase.master.handler.count', '10'],
      // Authorization on (simple authentication): grants are real, as sync-users mirrors them. The
      // user who starts HBase (the sandbox's) is its superuser, so every other test acts as before.
      ['hbase.security.authorization', 'true'],
      ['hbase.coprocessor.master.classes', 'org.apache.hadoop.hbase.security.access.AccessController'],
      ['hbase.coprocessor.region.classes', 'org.apache.hadoop.hbase.security.access.AccessController'],
      ['hbase.coprocessor.regionserver.classes', 'org.apache.hadoop.hbase.security.access.AccessController'],
    ],
  };
  return s;
}

/** @param {Record<string, string>} props */
export function siteXml(props) {
  const body = Object.entries(props)
    .map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`)
    .join('\n');
  return `<?xml version="1.0"?>\n<!-- written by the hbackup sandbox -->\n<configuration>\n${body}\n</configuration>\n`;
}

const TOOL_LOG4J = `# Client tools: like Hadoop's default (INFO to stderr), minus the noise.
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{yy/MM/dd HH:mm:ss} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.org.apache.hadoop.hbase.zookeeper=WARN
log4j.logger.org.apache.hadoop.metrics2=WARN
log4j.logger.org.apache.hadoop.conf.Configuration.deprecation=WARN
log4j.logger.org.apache.hadoop.mapreduce.JobResourceUploader=WARN
log4j.logger.org.apache.hadoop.mapred.LocalJobRunner=WARN
log4j.logger.org.apache.hadoop.mapred.Task=WARN
log4j.logger.org.apache.hadoop.mapred.MapTask=WARN
log4j.logger.org.apache.hadoop.hbase.client.ConnectionImplementation=WARN
`;

const SERVER_LOG4J = `log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p [%t] %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.apache.hadoop.metrics2=WARN
log4j.logger.org.apache.zookeeper=WARN
log4j.logger.org.apache.hadoop.hdfs.StateChange=WARN
log4j.logger.org.apache.hadoop.hdfs.server.datanode.DataNode.clienttrace=WARN
log4j.logger.BlockStateChange=WARN
`;

/** The commands each wrapper knows, mapped to the real main classes (as Hadoop's and HBase's own scripts map them). */
const COMMANDS = {
  hadoop: {
    fs: 'org.apache.hadoop.fs.FsShell',
    distcp: 'org.apache.hadoop.tools.DistCp',
    version: 'org.apache.hadoop.util.VersionInfo',
    checknative: 'org.apache.hadoop.util.NativeLibraryChecker',
    dtutil: 'org.apache.hadoop.security.token.DtUtilShell',
    key: 'org.apache.hadoop.crypto.key.KeyShell',
  },
  hdfs: {
    dfs: 'org.apache.hadoop.fs.FsShell',
    dfsadmin: 'org.apache.hadoop.hdfs.tools.DFSAdmin',
    snapshotDiff: 'org.apache.hadoop.hdfs.tools.snapshot.SnapshotDiff',
    lsSnapshottableDir: 'org.apache.hadoop.hdfs.tools.snapshot.LsSnapshottableDir',
    getconf: 'org.apache.hadoop.hdfs.tools.GetConf',
    haadmin: 'org.apache.hadoop.hdfs.tools.DFSHAAdmin',
    fsck: 'org.apache.hadoop.hdfs.tools.DFSck',
    crypto: 'org.apache.hadoop.hdfs.tools.CryptoAdmin',
    groups: 'org.apache.hadoop.hdfs.tools.GetGroups',
    version: 'org.apache.hadoop.util.VersionInfo',
  },
  hbase: {
    version: 'org.apache.hadoop.hbase.util.VersionInfo',
    shell: 'org.jruby.JarBootstrapMain',
  },
};

/** @param {ReturnType<typeof siteLayout>} s @param {'hadoop'|'hdfs'|'hbase'} tool */
function wrapperScript(s, tool) {
  const cases = Object.entries(COMMANDS[tool]).map(([cmd, cls]) => `  ${cmd}) main=${cls} ;;`);
  if (tool === 'hbase') {
    cases.push(`  snapshot)
    sub="\${1:-}"; shift || true
    case "$sub" in
      create) main=org.apache.hadoop.hbase.snapshot.CreateSnapshot ;;
      info) main=org.apache.hadoop.hbase.snapshot.SnapshotInfo ;;
      export) main=org.apache.hadoop.hbase.snapshot.ExportSnapshot ;;
      *) echo "usage: hbase snapshot create|info|export ..." >&2; exit 1 ;;
    esac ;;`);
  }
  const names = [...Object.keys(COMMANDS[tool]), ...(tool === 'hbase' ? ['snapshot'] : [])].join('|');
  return `#!/usr/bin/env bash
# '${tool}' for sandbox site ${s.name}: runs the real main classes with this site's configuration.
set -euo pipefail
# Like Hadoop's own scripts, HADOOP_CONF_DIR names another configuration (e.g. conf-yarn).
conf_dir="\${HADOOP_CONF_DIR:-${s.confDir}}"
classpath_file=${JSON.stringify(path.join(here, 'target', 'classpath.txt'))}
java_bin="\${JAVA_HOME:+$JAVA_HOME/bin/}java"
cmd="\${1:-}"; shift || true
case "$cmd" in
${cases.join('\n')}
  classpath) echo "$conf_dir:$(cat "$classpath_file")"; exit 0 ;;
  *) echo "usage: ${tool} ${names}|classpath [args...]" >&2; exit 1 ;;
esac
classpath="${JSON.stringify(path.join(here, 'target', 'classes'))}:$(cat "$classpath_file")"
if [ "$main" = org.jruby.JarBootstrapMain ]; then
  # JRuby carries its own joni/jcodings: it must come before HBase's copies.
  export JRUBY_OPTS="\${JRUBY_OPTS:--X+O}"
  jruby_jar="$(tr ':' '\\n' <<<"$classpath" | grep -m1 '/jruby-complete-')"
  classpath="$jruby_jar:${JSON.stringify(path.join(here, 'shell-compat'))}:$classpath"
fi
exec "$java_bin" ${s.jvmOpts.join(' ')} -Xmx${s.heap.tool} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \\
  -Dlog4j.configuration=file:"$conf_dir/log4j.properties" \\
  -cp "$conf_dir:$classpath" "$main" "$@"
`;
}

/** Write the site's configuration and wrapper scripts (idempotent). @param {ReturnType<typeof siteLayout>} s */
export function writeSiteFiles(s) {
  for (const d of [s.confDir, s.binDir, s.logDir, s.pidDir, path.join(s.dir, 'tools-tmp')]) fs.mkdirSync(d, { recursive: true });
  const toolTmp = path.join(s.dir, 'tools-tmp');
  fs.writeFileSync(
    path.join(s.confDir, 'core-site.xml'),
    siteXml({
      'fs.defaultFS': s.fsUri,
      'hadoop.tmp.dir': toolTmp,
      ...s.clientProps.core,
    }),
  );
  const haClient = s.ha
    ? {
        'dfs.nameservices': s.ha.nameservice,
        [`dfs.ha.namenodes.${s.ha.nameservice}`]: 'nn1,nn2',
        [`dfs.namenode.rpc-address.${s.ha.nameservice}.nn1`]: `127.0.0.1:${s.ports.nnRpc}`,
        [`dfs.namenode.rpc-address.${s.ha.nameservice}.nn2`]: `127.0.0.1:${s.ports.nn2Rpc}`,
        [`dfs.namenode.http-address.${s.ha.nameservice}.nn1`]: `127.0.0.1:${s.ports.nnHttp}`,
        [`dfs.namenode.http-address.${s.ha.nameservice}.nn2`]: `127.0.0.1:${s.ports.nn2Http}`,
        [`dfs.client.failover.proxy.provider.${s.ha.nameservice}`]:
          'org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider',
      }
    : {};
  fs.writeFileSync(
    path.join(s.confDir, 'hdfs-site.xml'),
    siteXml({
      'dfs.replication': '1',
      // One DataNode on loopback reports a block at once: a client closing a file need not wait 400 ms
      // before asking again (what makes writing many small files slow here, not on a real cluster).
      'dfs.client.block.write.locateFollowingBlock.initial.delay.ms': '10',
      ...haClient,
      ...s.clientProps.hdfs,
    }),
  );
  fs.writeFileSync(
    path.join(s.confDir, 'mapred-site.xml'),
    siteXml({
      'mapreduce.framework.name': 'local',
      // DistCp's maps side by side, as on a cluster (the local runner's default is one at a time).
      'mapreduce.local.map.tasks.maximum': '4',
      'mapreduce.cluster.local.dir': path.join(toolTmp, 'mapred-local'),
    }),
  );
  fs.writeFileSync(
    path.join(s.confDir, 'hbase-site.xml'),
    siteXml({
      'hbase.rootdir': `${s.fsUri}/hbase`,
      'hbase.zookeeper.quorum': '127.0.0.1',
      'hbase.zookeeper.property.clientPort': String(s.ports.zk),
      'hbase.tmp.dir': path.join(toolTmp, 'hbase'),
      'hbase.client.retries.number': '10',
    }),
  );
  fs.writeFileSync(path.join(s.confDir, 'log4j.properties'), TOOL_LOG4J);
  writeYarnConf(s);
  fs.writeFileSync(s.serverLog4j, SERVER_LOG4J);
  for (const tool of /** @type {const} */ (['hadoop', 'hdfs', 'hbase'])) {
    const file = path.join(s.binDir, tool);
    fs.writeFileSync(file, wrapperScript(s, tool));
    fs.chmodSync(file, 0o755);
  }
}

/**
 * conf-yarn: the site's client configuration with MapReduce on this site's YARN (DistCp then runs
 * as a real job: an ApplicationMaster and map tasks in containers of the NodeManager), plus the
 * ResourceManager's and NodeManager's own settings. Small containers: the sandbox has 2 cores.
 * @param {ReturnType<typeof siteLayout>} s
 */
function writeYarnConf(s) {
  fs.mkdirSync(s.yarnConfDir, { recursive: true });
  for (const f of ['core-site.xml', 'hdfs-site.xml', 'hbase-site.xml', 'log4j.properties']) {
    fs.copyFileSync(path.join(s.confDir, f), path.join(s.yarnConfDir, f));
  }
  const { ports: p } = s;
  const at = (port) => `127.0.0.1:${port}`;
  const classpath = [s.yarnConfDir, classesDir, s.classpath].join(':');
  const taskOpts = `-Xmx320m ${s.jvmOpts.join(' ')}`;
  fs.writeFileSync(
    path.join(s.yarnConfDir, 'yarn-site.xml'),
    siteXml({
      'yarn.resourcemanager.hostname': '127.0.0.1',
      'yarn.resourcemanager.address': at(p.rm),
      'yarn.resourcemanager.scheduler.address': at(p.rmScheduler),
      'yarn.resourcemanager.resource-tracker.address': at(p.rmTracker),
      'yarn.resourcemanager.admin.address': at(p.rmAdmin),
      'yarn.resourcemanager.webapp.address': at(p.rmHttp),
      'yarn.nodemanager.hostname': '127.0.0.1',
      'yarn.nodemanager.address': at(p.nm),
      'yarn.nodemanager.localizer.address': at(p.nmLocalizer),
      'yarn.nodemanager.webapp.address': at(p.nmHttp),
      'yarn.nodemanager.local-dirs': path.join(s.yarnDir, 'nm-local'),
      'yarn.nodemanager.log-dirs': path.join(s.yarnDir, 'nm-logs'),
      'yarn.nodemanager.resource.memory-mb': '3072',
      'yarn.nodemanager.resource.cpu-vcores': '4',
      'yarn.nodemanager.vmem-check-enabled': 'false',
      'yarn.nodemanager.pmem-check-enabled': 'false',
      'yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage': '99.9',
      'yarn.nodemanager.aux-services': 'mapreduce_shuffle',
      'yarn.nodemanager.aux-services.mapreduce_shuffle.class': 'org.apache.hadoop.mapred.ShuffleHandler',
      'mapreduce.shuffle.port': String(p.shuffle),
      'yarn.scheduler.minimum-allocation-mb': '128',
      'yarn.application.classpath': classpath,
    }),
  );
  fs.writeFileSync(
    path.join(s.yarnConfDir, 'mapred-site.xml'),
    siteXml({
      'mapreduce.framework.name': 'yarn',
      'yarn.app.mapreduce.am.staging-dir': '/tmp/hadoop-yarn/staging',
      'mapreduce.application.classpath': classpath,
      'yarn.app.mapreduce.am.resource.mb': '448',
      'yarn.app.mapreduce.am.command-opts': taskOpts,
      'mapreduce.map.memory.mb': '448',
      'mapreduce.map.java.opts': taskOpts,
      'mapreduce.task.timeout': '120000',
    }),
  );
}

/** The clusters file in hbackup's own format, usable by the CLI as it is. @param {ReturnType<typeof siteLayout>[]} sites */
export function writeClustersYaml(sites) {
  const lines = [
    '# Written by the hbackup sandbox (test/cluster/layout.js). Usable as is:',
    '#   hbackup --clusters .sandbox/clusters.yaml ...',
    'clusters:',
  ];
  for (const s of sites) {
    lines.push(
      `  ${s.name}:`,
      `    role: ${s.role}`,
      `    webhdfs: [http://127.0.0.1:${s.ports.nnHttp}]`,
      `    fs: ${s.fsUri}`,
      `    user: ${s.user}`,
      '    tools:',
      `      hadoop: ${JSON.stringify(path.join(s.binDir, 'hadoop'))}`,
      `      hdfs: ${JSON.stringify(path.join(s.binDir, 'hdfs'))}`,
      `      hbase: ${JSON.stringify(path.join(s.binDir, 'hbase'))}`,
      // Written and started on request (hive.js), at the site's base port + 50.
      `      beeline: ${JSON.stringify(path.join(s.binDir, 'beeline'))}`,
      '    hbase:',
      `      rootdir: ${s.fsUri}/hbase`,
      `      zookeeper: 127.0.0.1:${s.ports.zk}`,
      `      masterInfo: http://127.0.0.1:${s.ports.hbaseMasterInfo}`,
      '    hive:',
      `      jdbcUrl: jdbc:hive2://127.0.0.1:${s.ports.hbaseMaster + 50}/default`,
    );
  }
  fs.mkdirSync(sandboxDir(), { recursive: true });
  fs.writeFileSync(path.join(sandboxDir(), 'clusters.yaml'), `${lines.join('\n')}\n`);
}
