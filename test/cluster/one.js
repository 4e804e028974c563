// @ts-check
// Extra HDFS-only sites, each one NameNode and one DataNode in one JVM (OneDfs.java), that differ
// from the two main sites in how they are reached. Started only by the tests that need them:
// node test/cluster/one.js box|tls up|down
// - `box`: the DataNode registers under a host name this machine cannot resolve (dn1.box.invalid;
//   .invalid never resolves), as a DataNode in a container does, so the Location WebHDFS names for
//   data is unreachable until mapped.
// - `tls`: HTTPS only (NameNode and DataNode), with a certificate from a CA made for the run
//   (keytool, from the JDK): the CA's PEM file is returned for hbackup's `tls.ca`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteLayout, siteXml, writeSiteFiles } from './layout.js';
import { resolveDeps, startJvm, stopSite, waitFor } from './sandbox.js';

export const BOX_DATANODE_HOST = 'dn1.box.invalid';

/**
 * Start one of these sites fresh with extra server settings; returns its layout and what it bound.
 * @param {'box'|'tls'} name @param {[string, string][]} props
 */
async function startOneDfs(name, props) {
  const s = siteLayout(name, resolveDeps());
  await stopSite(name, { crash: true });
  fs.rmSync(path.join(s.dir, 'dfs'), { recursive: true, force: true });
  writeSiteFiles(s);
  const ready = path.join(s.dir, 'ready.json');
  fs.rmSync(ready, { force: true });
  const all = [...s.hdfsServerProps.filter(([k]) => k !== 'hdfs.minidfs.basedir'), ...props];
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

/** The `tls` site, HTTPS only; `nameNodeHttps` is its WebHDFS port, `caPem` the CA to trust. */
export async function startTls() {
  const layout = siteLayout('tls', '');
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
  const { s, bound } = await startOneDfs('tls', [
    ['dfs.http.policy', 'HTTPS_ONLY'],
    ['dfs.namenode.https-address', `127.0.0.1:${base + 71}`],
    ['dfs.datanode.https.address', `127.0.0.1:${base + 65}`],
  ]);
  return { ...s, nameNodeHttps: bound.nameNodeHttps, caPem: certs.caPem };
}

export const stopOne = (/** @type {'box'|'tls'} */ name) => stopSite(name);

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, cmd] = process.argv.slice(2);
  const start = name === 'box' ? startBox : name === 'tls' ? startTls : undefined;
  (start && cmd === 'up'
    ? start().then((s) => process.stderr.write(`[sandbox] ${name}: ${JSON.stringify(s.ports)}\n`))
    : start && cmd === 'down'
      ? stopOne(/** @type {'box'|'tls'} */ (name))
      : Promise.reject(new Error('usage: one.js box|tls up|down'))
  )
    .then(() => process.stderr.write(`[sandbox] ${name}: ${cmd}\n`))
    .catch((e) => {
      process.stderr.write(`[sandbox] error: ${e.message}\n`);
      process.exit(1);
    });
}
