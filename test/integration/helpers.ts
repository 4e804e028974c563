// What the integration tests share: the sandbox's sites, their real tools, WebHDFS clients,
// and hbackup itself run as a separate process, as an admin or cron would run it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { WebHdfs } from '../../src/hdfs/webhdfs.js';
// @ts-expect-error the sandbox layout is plain JavaScript
import { sandboxDir, siteLayout } from '../cluster/layout.js';
// @ts-expect-error the sandbox launcher is plain JavaScript
import { startSite, status } from '../cluster/sandbox.js';

export interface SiteInfo {
  name: string;
  user: string;
  binDir: string;
  fsUri: string;
  ports: { nnHttp: number; nnRpc: number; zk: number };
  /** DataNode addresses as the NameNode names them → as this host reaches them. */
  dataNodes?: Record<string, string>;
}

export const east: SiteInfo = siteLayout('east', '');
export const west: SiteInfo = siteLayout('west', '');
export const clustersFile = path.join(sandboxDir(), 'clusters.yaml');
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const hbackupBin = path.join(repoRoot, 'bin', 'hbackup.js');

/** A short id that keeps one test run's paths and services apart from another's. */
export const runId = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

export const webhdfs = (site: SiteInfo) =>
  new WebHdfs({ urls: [`http://127.0.0.1:${site.ports.nnHttp}`], user: site.user, dataNodes: site.dataNodes });

/** Run one of a site's real tools (hadoop, hdfs, hbase); throws with its stderr when it fails. */
export async function tool(site: SiteInfo, name: 'hadoop' | 'hdfs' | 'hbase' | 'beeline', args: string[], input?: string) {
  const r = await execa(path.join(site.binDir, name), args, { reject: false, input });
  if (r.exitCode !== 0) {
    throw new Error(`${name} ${args.join(' ')} exited with ${r.exitCode}:\n${String(r.stderr).slice(-3000)}`);
  }
  return r;
}

/** `hbase shell -n` with a script on stdin. */
export const hbaseShell = (site: SiteInfo, script: string) => tool(site, 'hbase', ['shell', '-n'], script);

export const tmpDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `hbackup-${prefix}-`));

/** A state dir of its own per test file, so locks of one file never meet another's. */
const stateDir = tmpDir('state');

export const hbackupEnv = { HBACKUP_STATE_DIR: stateDir, HBACKUP_CLUSTERS: clustersFile, NO_COLOR: '1' };

/** Run the hbackup CLI as a separate process (await it for its result, or watch it while it runs). */
export function hbackup(args: string[], opts: { env?: Record<string, string> } = {}) {
  // HBACKUP_IT_LOG=file: every run's verbose lines, timestamped, in one file (where a test's time goes).
  const log = process.env.HBACKUP_IT_LOG ? ['--verbose', '--log-file', process.env.HBACKUP_IT_LOG] : [];
  return execa('node', [hbackupBin, ...log, ...args], { reject: false, env: { ...hbackupEnv, ...opts.env } });
}

/** Write a policy file into a temporary directory; returns its path. */
export function writePolicy(policy: Record<string, unknown>): string {
  const file = path.join(tmpDir('policy'), `${String(policy.service)}.yaml`);
  fs.writeFileSync(file, stringify(policy));
  return file;
}

/** Make directories and files on a site through WebHDFS: { 'a/b.txt': 'content', 'dir/': null }. */
export async function putTree(site: SiteInfo, root: string, files: Record<string, string | Buffer | null>) {
  const h = webhdfs(site);
  await h.mkdirs(root);
  for (const [rel, content] of Object.entries(files)) {
    if (content === null) await h.mkdirs(`${root}/${rel.replace(/\/$/, '')}`);
    else await h.createFile(`${root}/${rel}`, content, true);
  }
}

export interface TreeEntry {
  rel: string;
  type: string;
  length: number;
  checksum?: string;
}

/** A directory's (or snapshot's) whole tree: names, types, sizes and each file's checksum. */
export async function tree(site: SiteInfo, dir: string): Promise<TreeEntry[]> {
  const h = webhdfs(site);
  const entries = await h.listRecursive(dir);
  const out: TreeEntry[] = [];
  for (const { rel, status } of entries) {
    const e: TreeEntry = { rel, type: status.type, length: status.length };
    if (status.type === 'FILE') e.checksum = (await h.fileChecksum(`${dir}/${rel}`)).bytes;
    out.push(e);
  }
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Start a site again if a test left it down. */
export async function ensureSandboxUp(): Promise<void> {
  const rows: { site: string; webhdfsUp: boolean; hbaseMasterActive: boolean }[] = await status();
  for (const r of rows) if (!r.webhdfsUp || !r.hbaseMasterActive) await startSite(r.site);
}

/** JSON Lines from hbackup's --json output. */
export const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

/** A directory on east with files, snapshottable. */
export async function snapshottable(dir: string, files: Record<string, string | Buffer | null>) {
  await putTree(east, dir, files);
  await tool(east, 'hdfs', ['dfsadmin', '-allowSnapshot', dir]);
}

/** n bytes of a pattern (the seed varies it). */
export const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + 7) % 251));

/** `hbackup backup --json`: its result, its first report and its stderr. */
export async function backup(policy: string, ...flags: string[]) {
  const r = await hbackup(['backup', policy, '--json', ...flags]);
  const reports = jsonLines(String(r.stdout));
  return { r, report: reports[0], stderr: String(r.stderr) };
}

/** The restore points `list --json` shows. */
export async function restorePoints(policy: string) {
  const r = await hbackup(['list', policy, '--json']);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return (JSON.parse(String(r.stdout)) as { restorePoints: { snapshot: string; datasets: unknown[] }[] }).restorePoints;
}

/** `<dir>/.snapshot/<name>`. */
export const snap = (dir: string, name: string) => `${dir}/.snapshot/${name}`;
