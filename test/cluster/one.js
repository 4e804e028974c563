// @ts-check
// Extra HDFS-only sites, each one NameNode and one DataNode in one JVM (OneDfs.java), that differ
// from the two main sites in how they are reached. Started only by the tests that need them:
// node test/cluster/one.js box|tls|krb|kms up|down
// - `box`: the DataNode registers under a host name this machine cannot resolve (dn1.box.invalid;
//   .invalid never resolves), as a DataNode in a container does, so the Location WebHDFS names for
//   data is unreachable until mapped.
// - `tls`: HTTPS only (NameNode and DataNode), with a certificate from a CA made for the run
//   (keytool, from the JDK): the CA's PEM file is returned for hbackup's `tls.ca`.
// - `krb`: Kerberized, with a KDC of its own (Hadoop's MiniKdc, its own JVM): Kerberos RPC, SASL on
//   data transfer, HTTPS (as a DataNode without privileged ports needs) and SPNEGO on the web.
// - `kms`: encryption zones, with a key server of its own (Hadoop's MiniKMS, its own JVM) that the
//   NameNode, the DataNode and the site's tools use.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteLayout, siteXml, writeSiteFiles } from './layout.js';
import { resolveDeps, startJvm, stopProcs, stopSite, waitFor } from './sandbox.js';

export const BOX_DATANODE_HOST = 'dn1.box.invalid';

/**
 * Start one of these sites fresh with extra server settings (and its layout changed first, if
 * asked); returns its layout and what it bound.
 * @param {'box'|'tls'|'krb'|'kms'} name @param {[string, string][]} props
 * @param {(s: ReturnType<typeof siteLayout>) => void} [prepare]
 */
async function startOneDfs(name, props, prepare) {
  const s = siteLayout(name, resolveDeps());
  prepare?.(s);
  await stopSite(name, { crash: true });
  fs.rmSync(path.join(s.dir, 'dfs'), { recursive: true, force: true });
  writeSiteFiles(s);
  const ready = path.join(s.dir, 'ready.json');
  fs.rmSync(ready, { force: true });
  // Every DataNode address on loopback and chosen by the system, unless the site says otherwise
  // (Hadoop's defaults, 0.0.0.0:9866 and the like, may be taken on a test machine).
  /** @type {[string, string][]} */
  const dataNode = ['address', 'ipc.address', 'http.address', 'https.address'].map((k) => [`dfs.datanode.${k}`, '127.0.0.1:0']);
  const all = [...s.hdfsServerProps.filter(([k]) => k !== 'hdfs.minidfs.basedir'), ...dataNode, ...props];
  const { pid, log } = startJvm(
    s,
    'hdfs',
    'hbackup.sandbox.OneDfs',
    [path.join(s.dir, 'dfs'), String(s.ports.nnRpc), String(s.ports.nnHttp), ready, ...all.map(([k, v]) => `${k}=${v}`)],
    s.heap.hdfs,
  );
  await waitFor(async () => fs.existsSync(ready), `${name} HDFS`, pid, log);
  /** @type {{dataNodeHost: string, dataNodeHttp: number, dataNodeHttps: number, nameNodeHttps: number}} */
  const bound = JSON.parse(fs.readFileSync(ready, 'utf8'));
  return { s, bound };
}

/** The `box` site; `dataNode` is its DataNode's address as the NameNode names it. */
export async function startBox() {
  const port = siteLayout('box', '').ports.hbaseMaster + 64;
  const { s, bound } = await startOneDfs('box', [
    ['dfs.datanode.hostname', BOX_DATANODE_HOST],
    ['dfs.datanode.http.address', `127.0.0.1:${port}`],
    // The one site left with Hadoop's default, where doctor's warning about it is tested.
    ['dfs.namenode.snapshot.capture.openfiles', 'false'],
  ]);
  return { ...s, dataNode: `${bound.dataNodeHost}:${bound.dataNodeHttp}` };
}

/**
 * A CA and a server certificate it signed for 127.0.0.1 and localhost, in `dir`: ca.pem (for
 * hbackup) and server.p12 (for Hadoop), made with the JDK's keytool.
 * @param {string} dir
 */
function makeCertificates(dir) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const pass = ['-storepass', 'sandbox', '-keypass', 'sandbox'];
  const keytool = (/** @type {string[]} */ args, /** @type {string|undefined} */ input) => {
    const r = spawnSync('keytool', args, { cwd: dir, input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`keytool ${args[0]} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const ca = ['-keystore', 'ca.p12', ...pass];
  const server = ['-keystore', 'server.p12', ...pass];
  keytool(['-genkeypair', '-alias', 'ca', '-dname', 'CN=hbackup sandbox CA', '-ext', 'bc:c', '-keyalg', 'RSA', '-validity', '30', ...ca]);
  fs.writeFileSync(path.join(dir, 'ca.pem'), keytool(['-exportcert', '-alias', 'ca', '-rfc', ...ca]));
  keytool(['-genkeypair', '-alias', 'server', '-dname', 'CN=127.0.0.1', '-keyalg', 'RSA', '-validity', '30', ...server]);
  const request = keytool(['-certreq', '-alias', 'server', ...server]);
  const signed = keytool(['-gencert', '-alias', 'ca', '-ext', 'san=ip:127.0.0.1,dns:localhost', '-rfc', '-validity', '30', ...ca], request);
  fs.writeFileSync(path.join(dir, 'server.pem'), signed);
  keytool(['-importcert', '-alias', 'ca', '-file', 'ca.pem', '-noprompt', ...server]);
  keytool(['-importcert', '-alias', 'server', '-file', 'server.pem', ...server]);
  return { caPem: path.join(dir, 'ca.pem'), keystore: path.join(dir, 'server.p12') };
}

/**
 * Certificates for a site, and the ssl-server.xml its NameNode and DataNode read from the classpath
 * (the site's conf directory is on it). @param {ReturnType<typeof siteLayout>} layout
 */
function serveHttps(layout) {
  const certs = makeCertificates(path.join(layout.dir, 'certs'));
  fs.mkdirSync(layout.confDir, { recursive: true });
  // Read by the NameNode and the DataNode from the classpath (the site's conf directory is on it).
  fs.writeFileSync(
    path.join(layout.confDir, 'ssl-server.xml'),
    siteXml({
      'ssl.server.keystore.location': certs.keystore,
      'ssl.server.keystore.type': 'pkcs12',
      'ssl.server.keystore.password': 'sandbox',
      'ssl.server.keystore.keypassword': 'sandbox',
    }),
  );
  const base = layout.ports.hbaseMaster;
  /** @type {[string, string][]} */
  const props = [
    ['dfs.http.policy', 'HTTPS_ONLY'],
    ['dfs.namenode.https-address', `127.0.0.1:${base + 71}`],
    ['dfs.datanode.https.address', `127.0.0.1:${base + 65}`],
  ];
  return { caPem: certs.caPem, props };
}

/** The `tls` site, HTTPS only; `nameNodeHttps` is its WebHDFS port, `caPem` the CA to trust. */
export async function startTls() {
  const https = serveHttps(siteLayout('tls', ''));
  const { s, bound } = await startOneDfs('tls', https.props);
  return { ...s, nameNodeHttps: bound.nameNodeHttps, caPem: https.caPem };
}

/** The krb site's keytabs, in its KDC's directory. @param {string} kdcDir */
const krbKeytabs = (kdcDir) => ({
  service: path.join(kdcDir, 'service.keytab'),
  hbackup: path.join(kdcDir, 'hbackup.keytab'),
  other: path.join(kdcDir, 'other.keytab'),
  /** A ticket cache holding hdfs@REALM's ticket, as `kinit` would fill it. */
  cache: path.join(kdcDir, 'krb5cc_hdfs'),
});

/**
 * The krb site's KDC as it was last started: its realm, the krb5.conf it wrote, its keytabs.
 * @returns {{realm: string, port: number, krb5conf: string, keytabs: ReturnType<typeof krbKeytabs>}}
 */
export function krbKdc() {
  const kdcDir = path.join(siteLayout('krb', '').dir, 'kdc');
  return { ...JSON.parse(fs.readFileSync(path.join(kdcDir, 'ready.json'), 'utf8')), keytabs: krbKeytabs(kdcDir) };
}

/**
 * The `krb` site and its KDC. Keytabs: `service` (hdfs/, HTTP/ and hive/localhost, the daemons'),
 * `hbackup` (hdfs@REALM: the HDFS superuser, as the NameNode runs as hdfs) and `other` (mallory@REALM,
 * a principal the site gives no rights: a wrong keytab for hbackup's); and `cache`, a ticket cache
 * holding hdfs@REALM's ticket.
 */
export async function startKrb() {
  const layout = siteLayout('krb', resolveDeps());
  await stopKrb();
  const kdcDir = path.join(layout.dir, 'kdc');
  fs.rmSync(kdcDir, { recursive: true, force: true });
  // Its HDFS starts empty: a metastore of an earlier start would name databases it no longer holds.
  fs.rmSync(path.join(layout.dir, 'hive'), { recursive: true, force: true });
  fs.mkdirSync(layout.logDir, { recursive: true });
  fs.mkdirSync(layout.pidDir, { recursive: true });
  const keytabs = krbKeytabs(kdcDir);
  const ready = path.join(kdcDir, 'ready.json');
  const kdc = startJvm(
    layout,
    'kdc',
    'hbackup.sandbox.Kdc',
    [
      kdcDir,
      ready,
      `${keytabs.service}=hdfs/localhost,HTTP/localhost,hive/localhost`,
      `${keytabs.hbackup}=hdfs`,
      `${keytabs.other}=mallory`,
      `ccache:${keytabs.cache}=hdfs`,
    ],
    '256m',
  );
  await waitFor(async () => fs.existsSync(ready), 'krb KDC', kdc.pid, kdc.log);
  const k = krbKdc();
  const nn = `hdfs/localhost@${k.realm}`;
  const https = serveHttps(layout);
  const { s, bound } = await startOneDfs(
    'krb',
    [
      ...https.props,
      ['hadoop.security.authentication', 'kerberos'],
      ['hadoop.rpc.protection', 'authentication'],
      ['dfs.block.access.token.enable', 'true'],
      ['dfs.data.transfer.protection', 'authentication'],
      ['dfs.namenode.kerberos.principal', nn],
      ['dfs.namenode.keytab.file', keytabs.service],
      ['dfs.datanode.kerberos.principal', nn],
      ['dfs.datanode.keytab.file', keytabs.service],
      ['dfs.web.authentication.kerberos.principal', `HTTP/localhost@${k.realm}`],
      ['dfs.web.authentication.kerberos.keytab', keytabs.service],
      // SPNEGO on the web endpoints (WebHDFS too): without it WebHDFS would take user.name= as it is.
      ['hadoop.http.authentication.type', 'kerberos'],
      ['hadoop.http.authentication.kerberos.principal', `HTTP/localhost@${k.realm}`],
      ['hadoop.http.authentication.kerberos.keytab', keytabs.service],
      ['hadoop.http.authentication.simple.anonymous.allowed', 'false'],
      ['hadoop.http.filter.initializers', 'org.apache.hadoop.security.AuthenticationFilterInitializer'],
    ],
    (s) => {
      s.jvmOpts = [...s.jvmOpts, `-Djava.security.krb5.conf=${k.krb5conf}`];
      s.clientProps = {
        core: {
          'hadoop.security.authentication': 'kerberos',
          // The tools also read the simple sites (a copy from east, or to it).
          'ipc.client.fallback-to-simple-auth-allowed': 'true',
          // DistCp in local mode still names a renewer for the tokens of a secure cluster.
          'yarn.resourcemanager.principal': `rm/localhost@${k.realm}`,
        },
        hdfs: { 'dfs.namenode.kerberos.principal': nn, 'dfs.data.transfer.protection': 'authentication' },
      };
    },
  );
  return { ...s, nameNodeHttps: bound.nameNodeHttps, caPem: https.caPem, realm: k.realm, krb5conf: k.krb5conf, keytabs };
}

/** Stop the krb site and its KDC. */
export async function stopKrb() {
  await stopProcs(siteLayout('krb', ''), ['hive'], false);
  await stopSite('krb');
  await stopProcs(siteLayout('krb', ''), ['kdc'], false);
}

/**
 * The `kms` site and its key server; `kmsUrl` is the server's URL (as the site's tools name it in
 * `hadoop.security.key.provider.path`).
 */
export async function startKms() {
  const layout = siteLayout('kms', resolveDeps());
  await stopKms();
  const kmsDir = path.join(layout.dir, 'keys');
  fs.rmSync(kmsDir, { recursive: true, force: true });
  fs.mkdirSync(layout.logDir, { recursive: true });
  fs.mkdirSync(layout.pidDir, { recursive: true });
  const ready = path.join(kmsDir, 'ready.json');
  const server = startJvm(layout, 'kmsd', 'hbackup.sandbox.Kms', [kmsDir, ready, String(layout.ports.hbaseMaster + 73)], '256m');
  await waitFor(async () => fs.existsSync(ready), 'kms key server', server.pid, server.log);
  /** @type {{url: string}} */
  const k = JSON.parse(fs.readFileSync(ready, 'utf8'));
  const kmsUrl = `kms://${k.url.replace(/^(https?):\/\//, '$1@').replace(/\/$/, '')}`;
  const { s } = await startOneDfs('kms', [['hadoop.security.key.provider.path', kmsUrl]], (s) => {
    s.clientProps = { core: { 'hadoop.security.key.provider.path': kmsUrl }, hdfs: {} };
  });
  return { ...s, kmsUrl };
}

/** Stop the kms site and its key server. */
export async function stopKms() {
  await stopSite('kms');
  await stopProcs(siteLayout('kms', ''), ['kmsd'], false);
}

export const stopOne = (/** @type {'box'|'tls'|'krb'|'kms'} */ name) =>
  name === 'krb' ? stopKrb() : name === 'kms' ? stopKms() : stopSite(name);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, cmd] = process.argv.slice(2);
  const start = name === 'box' ? startBox : name === 'tls' ? startTls : name === 'krb' ? startKrb : name === 'kms' ? startKms : undefined;
  (start && cmd === 'up'
    ? start().then((s) => process.stderr.write(`[sandbox] ${name}: ${JSON.stringify(s.ports)}\n`))
    : start && cmd === 'down'
      ? stopOne(/** @type {'box'|'tls'|'krb'|'kms'} */ (name))
      : Promise.reject(new Error('usage: one.js box|tls|krb|kms up|down'))
  )
    .then(() => process.stderr.write(`[sandbox] ${name}: ${cmd}\n`))
    .catch((e) => {
      process.stderr.write(`[sandbox] error: ${e.message}\n`);
      process.exit(1);
    });
}
