// @ts-check
// The `ha` site: one HDFS with an HA pair of NameNodes (nn1 active, nn2 standby) and a DataNode,
// in its own JVM, for tests of clients against a real standby and a real failover. Started only
// by the tests that need it: node test/cluster/ha.js up|down
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteLayout, writeSiteFiles } from './layout.js';
import { resolveDeps, startJvm, stopSite, waitFor } from './sandbox.js';

/** @param {number} port */
async function answers(port) {
  try {
    await fetch(`http://127.0.0.1:${port}/jmx?qry=Hadoop:service=NameNode,name=NameNodeStatus`, { signal: AbortSignal.timeout(3000) });
    return true;
  } catch {
    return false;
  }
}

/** Start the HA site (fresh each time); returns its layout. */
export async function startHa() {
  const s = siteLayout('ha', resolveDeps());
  await stopSite('ha', { crash: true });
  fs.rmSync(path.join(s.dir, 'dfs'), { recursive: true, force: true });
  writeSiteFiles(s);
  const ready = path.join(s.dir, 'ready');
  fs.rmSync(ready, { force: true });
  const { pid, log } = startJvm(
    s,
    'hdfs',
    'hbackup.sandbox.HaDfs',
    [
      path.join(s.dir, 'dfs'),
      /** @type {{nameservice: string}} */ (s.ha).nameservice,
      String(s.ports.nnRpc),
      String(s.ports.nnHttp),
      String(s.ports.nn2Rpc),
      String(s.ports.nn2Http),
      ready,
    ],
    s.heap.hdfs,
  );
  await waitFor(
    async () => fs.existsSync(ready) && (await answers(s.ports.nnHttp)) && (await answers(s.ports.nn2Http)),
    'ha HDFS',
    pid,
    log,
  );
  return s;
}

export const stopHa = () => stopSite('ha');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  (cmd === 'up' ? startHa() : cmd === 'down' ? stopHa() : Promise.reject(new Error('usage: ha.js up|down')))
    .then(() => process.stderr.write(`[sandbox] ha: ${cmd}\n`))
    .catch((e) => {
      process.stderr.write(`[sandbox] error: ${e.message}\n`);
      process.exit(1);
    });
}
