// @ts-check
// The `box` site: one NameNode and one DataNode that registers under a host name this machine
// cannot resolve (dn1.box.invalid; .invalid never resolves), as a DataNode in a container does, so
// the Location WebHDFS names for data is unreachable until mapped. Started only by the tests that
// need it: node test/cluster/box.js up|down
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { siteLayout, writeSiteFiles } from './layout.js';
import { resolveDeps, startJvm, stopSite, waitFor, webhdfsUp } from './sandbox.js';

export const BOX_DATANODE_HOST = 'dn1.box.invalid';

/** Start the box site (fresh each time); returns its layout and where its DataNode says it is. */
export async function startBox() {
  const s = siteLayout('box', resolveDeps());
  await stopSite('box', { crash: true });
  fs.rmSync(path.join(s.dir, 'dfs'), { recursive: true, force: true });
  writeSiteFiles(s);
  const ready = path.join(s.dir, 'ready.json');
  fs.rmSync(ready, { force: true });
  const dataNodeHttp = s.ports.hbaseMaster + 64;
  const props = [
    ...s.hdfsServerProps.filter(([k]) => k !== 'hdfs.minidfs.basedir'),
    ['dfs.datanode.hostname', BOX_DATANODE_HOST],
    ['dfs.datanode.http.address', `127.0.0.1:${dataNodeHttp}`],
  ];
  const { pid, log } = startJvm(
    s,
    'hdfs',
    'hbackup.sandbox.OneDfs',
    [path.join(s.dir, 'dfs'), String(s.ports.nnRpc), String(s.ports.nnHttp), ready, ...props.map(([k, v]) => `${k}=${v}`)],
    s.heap.hdfs,
  );
  await waitFor(async () => fs.existsSync(ready) && (await webhdfsUp(s)), 'box HDFS', pid, log);
  const bound = JSON.parse(fs.readFileSync(ready, 'utf8'));
  return { ...s, dataNode: `${bound.dataNodeHost}:${bound.dataNodeHttp}` };
}

export const stopBox = () => stopSite('box');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const cmd = process.argv[2];
  (cmd === 'up'
    ? startBox().then((s) => process.stderr.write(`[sandbox] box: DataNode ${s.dataNode}\n`))
    : cmd === 'down'
      ? stopBox()
      : Promise.reject(new Error('usage: box.js up|down'))
  )
    .then(() => process.stderr.write(`[sandbox] box: ${cmd}\n`))
    .catch((e) => {
      process.stderr.write(`[sandbox] error: ${e.message}\n`);
      process.exit(1);
    });
}
