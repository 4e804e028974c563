/**
 * Each site's identity, held by the site itself in its own HDFS so every control host sees the same
 * truth: `/.hbackup/identity/<epoch>.json`, one file per change, never rewritten — the newest epoch
 * is the identity, the others its history. A change is written under a temporary name and renamed
 * onto its epoch's name: HDFS lets exactly one rename onto a name win, so two control hosts acting at
 * once cannot both change it. Writing an identity a site already holds (a run that finishes what a
 * dead one began) changes nothing.
 */
import os from 'node:os';
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import { ops, type WebHdfsRequest } from '../hdfs/requests.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

export const IDENTITY_DIR = '/.hbackup/identity';

const IdentitySchema = z.looseObject({
  site: z.string(),
  role: z.enum(['primary', 'secondary']),
  epoch: z.int().min(1),
  changedAt: z.string(),
  host: z.string(),
  /** The process that wrote it (on `host`): how a run that carries on a dead one knows its writes. */
  pid: z.int().optional(),
  reason: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;
export type Role = Identity['role'];

/** What a change of identity says: the rest (when, from which host) is added as it is written. */
export interface IdentityChange {
  site: string;
  role: Role;
  epoch: number;
  reason: string;
  /** When the run that made this change began (a promotion: its RTO is changedAt − startedAt). */
  startedAt?: string;
  /**
   * A promotion: the restore point each service is served from (its RPO is startedAt − moment), and
   * the tables it serves as their live replicas instead, with how far behind they were.
   */
  served?: {
    service: string;
    restorePoint: string | null;
    moment: string | null;
    replicas?: string[];
    replicasLagSeconds?: number | null;
  }[];
}

const fileOf = (dir: string, epoch: number) => `${dir}/${String(epoch).padStart(10, '0')}.json`;
/** Written aside under a name of this process's own: two control hosts (or processes) never write one file. */
const tmpOf = (dir: string, c: IdentityChange) =>
  `${dir}/_tmp.${String(c.epoch).padStart(10, '0')}.${c.site}.${os.hostname()}.${process.pid}.json`;

/** Parse a small JSON file through a schema; undefined when it is not what the schema says. */
export function parsed<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(text ?? ''));
    return r.success ? r.data : undefined;
  } catch {
    return undefined; // not JSON: said by the caller, with the file's path
  }
}

async function readAt(hdfs: WebHdfs, file: string): Promise<Identity> {
  const identity = parsed(IdentitySchema, (await hdfs.readFile(file))?.toString('utf8'));
  if (!identity) throw new CatalogError(`the identity ${file} cannot be read; fix or remove it`);
  return identity;
}

/** The site's identity (its newest epoch), or undefined when it has none yet. */
export async function readIdentity(hdfs: WebHdfs, dir = IDENTITY_DIR): Promise<Identity | undefined> {
  if (!(await hdfs.getFileStatus(dir))) return undefined;
  const names = (await hdfs.listStatus(dir))
    .map((s) => s.pathSuffix)
    .filter((n) => /^\d{10}\.json$/.test(n))
    .sort();
  const newest = names.at(-1);
  return newest ? readAt(hdfs, `${dir}/${newest}`) : undefined;
}

/** Every identity the site held, oldest first: its history (failovers and failbacks among it). */
export async function readIdentityHistory(hdfs: WebHdfs, dir = IDENTITY_DIR): Promise<Identity[]> {
  if (!(await hdfs.getFileStatus(dir))) return [];
  const names = (await hdfs.listStatus(dir))
    .map((s) => s.pathSuffix)
    .filter((n) => /^\d{10}\.json$/.test(n))
    .sort();
  const out: Identity[] = [];
  for (const n of names) out.push(await readAt(hdfs, `${dir}/${n}`));
  return out;
}

/** The calls that write an identity, in order (what a plan shows of it). */
export const identityWrites = (c: IdentityChange, dir = IDENTITY_DIR): WebHdfsRequest[] => [
  ops.mkdirs(dir),
  ops.create(tmpOf(dir, c), true),
  ops.rename(tmpOf(dir, c), fileOf(dir, c.epoch)),
];

/** The file's contents. */
export const identityRecord = (c: IdentityChange, now: Date): Identity => ({
  ...c,
  changedAt: now.toISOString(),
  host: os.hostname(),
  pid: process.pid,
});

/** A process that wrote on a site: this one, or a run this one carries on. */
export interface Writer {
  host: string;
  pid: number;
}

/**
 * Write the identity of the given epoch. When the site holds that epoch already: written by this
 * process or by a run it carries on (`mine`: the dead runs whose claim it took over), the change is
 * made (nothing to do); written by anyone else, another control host changed it first, and this one
 * says so (nothing is overwritten).
 */
export async function writeIdentity(
  hdfs: WebHdfs,
  c: IdentityChange,
  now: Date,
  dir = IDENTITY_DIR,
  mine: Writer[] = [],
): Promise<Identity> {
  const [mkdirs, create, rename] = identityWrites(c, dir) as [WebHdfsRequest, WebHdfsRequest, WebHdfsRequest];
  const record = identityRecord(c, now);
  await hdfs.send(mkdirs);
  await hdfs.createFile(create.path, `${JSON.stringify(record, null, 2)}\n`, true);
  if (await hdfs.rename(rename.path, String(rename.params?.destination))) return record;
  const held = await readAt(hdfs, fileOf(dir, c.epoch));
  if (!(await hdfs.delete(create.path))) throw new CatalogError(`${c.site}: could not remove ${create.path}; remove it (hdfs dfs -rm)`);
  const writers = [{ host: os.hostname(), pid: process.pid }, ...mine];
  if (held.role === c.role && held.site === c.site && writers.some((w) => w.host === held.host && w.pid === held.pid)) return held;
  throw new CatalogError(
    `${c.site} already has an identity of epoch ${c.epoch} (${held.role}, from ${held.host}): another control host changed it first; look with hbackup status`,
  );
}
