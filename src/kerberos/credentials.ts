/**
 * A run's Kerberos. For each Kerberized cluster, a delegation token is fetched once, by the
 * cluster's own tools (`hadoop dtutil get`, logging in from the keytab, or from the ticket cache):
 * WebHDFS sends it as `delegation=` (the NameNode hands it on to the DataNodes), and the tools of
 * every Kerberized cluster read one file holding every cluster's token (HADOOP_TOKEN_FILE_LOCATION),
 * so a DistCp between two secure clusters holds both. A token WebHDFS calls expired is fetched again;
 * all are cancelled when the run ends. Tokens are secrets: kept in a directory only this user can
 * read, never printed. No native module and no `kinit` are needed. Beeline, which HiveServer2 asks
 * for Kerberos itself, logs in from the same keytab (or ticket cache).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NamedCluster } from '../config/load.js';
import { causeLine, KerberosError, UsageError } from '../errors.js';
import { type Command, execaRunner, type Runner } from '../exec/runner.js';
import { readTokenFile, type StoredToken, writeTokenFile } from './token.js';

let dir: string | undefined;
/** Per cluster: its token's URL string, once fetched (or being fetched). */
const tokens = new Map<string, Promise<string>>();
/** Per cluster: what was fetched, for the merged file and for cancelling. */
const fetched = new Map<string, { cluster: NamedCluster; file: string; tokens: StoredToken[] }>();
/** dtutil runs one at a time. */
let queue: Promise<unknown> = Promise.resolve();

function runDir(): string {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-tokens-'));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** The file every Kerberized cluster's tools read their tokens from. */
export const tokenFile = (): string => path.join(runDir(), 'tokens');

/** The environment a Kerberized cluster's tools run with: the tokens, and the ticket cache if one is named. */
export function toolEnv(cluster: NamedCluster): Record<string, string> {
  const k = cluster.kerberos;
  if (!k) return {};
  return { HADOOP_TOKEN_FILE_LOCATION: tokenFile(), ...(k.ticketCache ? { KRB5CCNAME: k.ticketCache } : {}) };
}

/**
 * What Beeline logs in with: HiveServer2 takes no HDFS delegation token, it authenticates Kerberos
 * itself. Hadoop's login (which Beeline's JDBC driver uses) reads the principal and keytab from
 * KRB5PRINCIPAL and KRB5KEYTAB, else the ticket cache (KRB5CCNAME, in toolEnv). Paths, not secrets.
 */
export function loginEnv(cluster: NamedCluster): Record<string, string> {
  const k = cluster.kerberos;
  return k?.keytab && k.principal ? { KRB5PRINCIPAL: k.principal, KRB5KEYTAB: k.keytab } : {};
}

/** `hadoop dtutil` of the cluster, logged in as the clusters file says. */
function dtutil(cluster: NamedCluster, args: string[]): Command {
  const k = cluster.kerberos!;
  if (cluster.tools.ssh || cluster.tools.prefix)
    throw new UsageError(
      `clusters.${cluster.name}: Kerberos with tools through ssh or a prefix is not supported yet; run the tools on this host`,
    );
  const login = k.keytab ? ['-keytab', k.keytab, '-principal', k.principal ?? ''] : [];
  const env = { ...cluster.tools.env, ...(k.ticketCache ? { KRB5CCNAME: k.ticketCache } : {}) };
  return { argv: [cluster.tools.hadoop, 'dtutil', ...login, ...args], ...(Object.keys(env).length ? { env, secretEnv: true } : {}) };
}

const who = (cluster: NamedCluster) => {
  const k = cluster.kerberos!;
  return k.keytab ? `${k.principal} with the keytab ${k.keytab}` : `the ticket cache ${k.ticketCache}`;
};

async function fetchToken(cluster: NamedCluster, runner: Runner): Promise<string> {
  const file = path.join(runDir(), `${cluster.name}.token`);
  fs.rmSync(file, { force: true });
  const r = await runner(dtutil(cluster, ['get', cluster.fs, '-format', 'java', file]), { timeoutMs: 120_000 });
  if (r.exitCode !== 0 || !fs.existsSync(file)) {
    throw new KerberosError(
      `${cluster.name}: no delegation token as ${who(cluster)}${causeLine(r.stderr, ': ')}; check the principal and keytab (klist -kt), or renew the ticket (kinit), and the KDC in krb5.conf`,
    );
  }
  fs.chmodSync(file, 0o600);
  const found = readTokenFile(fs.readFileSync(file)).filter((t) => t.kind === 'HDFS_DELEGATION_TOKEN');
  if (!found.length) throw new KerberosError(`${cluster.name}: hadoop dtutil wrote no HDFS delegation token to ${file}`);
  fetched.set(cluster.name, { cluster, file, tokens: found });
  const all = [...fetched.values()].flatMap((f) => f.tokens);
  fs.writeFileSync(tokenFile(), writeTokenFile(all), { mode: 0o600 });
  return found[0]!.urlString;
}

/** The cluster's delegation token (its URL string), fetched the first time it is asked for. */
export function delegation(cluster: NamedCluster, runner: Runner = execaRunner): Promise<string> {
  let t = tokens.get(cluster.name);
  if (!t) {
    t = queue.then(() => fetchToken(cluster, runner));
    queue = t.catch(() => undefined);
    tokens.set(cluster.name, t);
    t.catch(() => tokens.delete(cluster.name));
  }
  return t;
}

/** Fetch the cluster's token again (WebHDFS said it expired). */
export function renewed(cluster: NamedCluster, runner: Runner = execaRunner): Promise<string> {
  tokens.delete(cluster.name);
  return delegation(cluster, runner);
}

/** Before a Kerberized cluster's tool runs: its token, and every token being fetched, are in the file. */
export async function toolsReady(cluster: NamedCluster, runner: Runner = execaRunner): Promise<void> {
  await delegation(cluster, runner);
  await Promise.all([...tokens.values()]);
}

/** At the end of a run: every token cancelled (as whoever fetched it), the files removed. Returns what could not be. */
export async function releaseCredentials(runner: Runner = execaRunner): Promise<string[]> {
  const problems: string[] = [];
  await Promise.allSettled([...tokens.values()]);
  for (const f of fetched.values()) {
    for (const t of f.tokens) {
      const cancel = dtutil(f.cluster, ['cancel', '-alias', t.service, '-format', 'java', f.file]);
      const r = await runner(cancel, { timeoutMs: 120_000 }).catch((e: Error) => ({ exitCode: 1, stderr: e.message, stdout: '' }));
      if (r.exitCode !== 0)
        problems.push(`${f.cluster.name}: the delegation token could not be cancelled${causeLine(r.stderr, ': ')}; it expires by itself`);
    }
  }
  fetched.clear();
  tokens.clear();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  return problems;
}
