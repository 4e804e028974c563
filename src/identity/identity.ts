/**
 * Each site's identity, held by the site itself in its own HDFS so every control host sees the same
 * truth: `/.hbackup/identity/<epoch>.json`, one file per change, never rewritten — the newest epoch
 * is the identity, the others its history. A change is written under a temporary name and renamed
 * onto the next epoch: HDFS lets exactly one rename onto a name win, so two control hosts acting at
 * once cannot both change it.
 */
import os from 'node:os';
import { z } from 'zod';
import { CatalogError, LockedError } from '../errors.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

const IDENTITY_DIR = '/.hbackup/identity';

const IdentitySchema = z.looseObject({
  site: z.string(),
  role: z.enum(['primary', 'secondary']),
  epoch: z.int().min(1),
  changedAt: z.string(),
  host: z.string(),
  reason: z.string(),
});
export type Identity = z.infer<typeof IdentitySchema>;

const fileOf = (dir: string, epoch: number) => `${dir}/${String(epoch).padStart(10, '0')}.json`;

/** The site's identity (its newest epoch), or undefined when it has none yet. */
export async function readIdentity(hdfs: WebHdfs, dir = IDENTITY_DIR): Promise<Identity | undefined> {
  if (!(await hdfs.getFileStatus(dir))) return undefined;
  const names = (await hdfs.listStatus(dir))
    .map((s) => s.pathSuffix)
    .filter((n) => /^\d{10}\.json$/.test(n))
    .sort();
  const newest = names.at(-1);
  if (!newest) return undefined;
  const text = (await hdfs.readFile(`${dir}/${newest}`))?.toString('utf8') ?? '';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = IdentitySchema.safeParse(data);
  if (!parsed.success) throw new CatalogError(`the identity ${dir}/${newest} cannot be read; fix or remove it`);
  return parsed.data;
}

/** Write a small file under a name only if no file has that name: written aside, then renamed (HDFS lets one rename win). */
async function writeOnce(hdfs: WebHdfs, dir: string, file: string, data: unknown): Promise<boolean> {
  const tmp = `${dir}/_tmp.${process.pid}.${Math.random().toString(36).slice(2)}.json`;
  await hdfs.mkdirs(dir);
  await hdfs.createFile(tmp, `${JSON.stringify(data, null, 2)}\n`, true);
  if (await hdfs.rename(tmp, file)) return true;
  await hdfs.delete(tmp).catch(() => false);
  return false;
}

/**
 * Write the identity of the given epoch, unless one of that epoch exists: then another control host
 * changed it first, and this one says so (nothing is overwritten).
 */
export async function writeIdentity(
  hdfs: WebHdfs,
  identity: { site: string; role: Identity['role']; epoch: number; reason: string },
  now: Date,
  dir = IDENTITY_DIR,
): Promise<Identity> {
  const full: Identity = { ...identity, changedAt: now.toISOString(), host: os.hostname() };
  if (!(await writeOnce(hdfs, dir, fileOf(dir, identity.epoch), full))) {
    throw new CatalogError(
      `${identity.site} already has an identity of epoch ${identity.epoch}: another control host changed it first; look with hbackup status`,
    );
  }
  return full;
}

/** Who is changing a site's identity to an epoch: held from before the first change to after the last. */
export interface Claim {
  site: string;
  epoch: number;
  path: string;
  release(): Promise<void>;
}

export const claimPath = (epoch: number, dir = IDENTITY_DIR) => `${dir}/_claim.${String(epoch).padStart(10, '0')}.json`;

/**
 * Claim the change of a site's identity to an epoch before anything is changed: one control host
 * wins; another gets a LockedError naming the holder, and changes nothing. A claim left by a run
 * that died is removed by hand (the message says how), once nobody acts on it any more.
 */
export async function claimEpoch(
  hdfs: WebHdfs,
  claim: { site: string; epoch: number; command: string },
  now: Date,
  dir = IDENTITY_DIR,
): Promise<Claim> {
  const path = claimPath(claim.epoch, dir);
  const record = { ...claim, host: os.hostname(), pid: process.pid, at: now.toISOString() };
  if (!(await writeOnce(hdfs, dir, path, record))) {
    const holder = await hdfs
      .readFile(path)
      .then((b) => JSON.parse(b?.toString('utf8') ?? '{}') as { command?: string; host?: string; pid?: number; at?: string })
      .catch(() => ({}) as { command?: string; host?: string; pid?: number; at?: string });
    throw new LockedError(
      `${claim.site}: ${holder.command ?? 'another command'} on ${holder.host ?? 'another host'} (pid ${holder.pid ?? '?'}, since ${holder.at ?? '?'}) is changing its identity to epoch ${claim.epoch}; nothing was changed. If that run is gone, check the sites with hbackup status, remove ${path} (hdfs dfs -rm) and run again`,
    );
  }
  return { site: claim.site, epoch: claim.epoch, path, release: async () => void (await hdfs.delete(path).catch(() => false)) };
}
