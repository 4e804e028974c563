/**
 * Who is changing a site's identity to an epoch: a claim, `/.hbackup/identity/_claim.<epoch>.json`
 * on the site being changed, made before the first change and removed after the last. It says which
 * command, how it was decided (from, to, mode), who holds it (host, pid) and until when (a lease the
 * holder renews while it runs), and which steps past the point of no return are done.
 *
 * One control host wins a claim (written aside, then renamed: HDFS lets one rename onto a name win).
 * A claim whose holder is gone — on this host its process is dead; on any host its lease expired —
 * is taken over by the next run (renamed away first, so of two runs taking over, one wins), which
 * carries on from where the dead run stopped. A live holder excludes everyone else (exit 75).
 */
import os from 'node:os';
import { z } from 'zod';
import { CatalogError, LockedError } from '../errors.js';
import { ops, type WebHdfsRequest } from '../hdfs/requests.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';
import { alive } from '../lock/lock.js';
import { IDENTITY_DIR, parsed } from './identity.js';

/** How long a claim holds without being renewed; it is renewed every third of that while its run lives. */
export const LEASE_MS = 120_000;

const ClaimSchema = z.looseObject({
  command: z.enum(['failover', 'failback']),
  site: z.string(),
  epoch: z.int().min(1),
  from: z.string(),
  to: z.string(),
  mode: z.string(),
  host: z.string(),
  pid: z.int(),
  at: z.string(),
  leaseUntil: z.string(),
  /** Steps done past the point of no return, by id. */
  done: z.array(z.string()).default([]),
  /** failback: the stamp of its quarantine snapshots, kept when a run carries on. */
  quarantine: z.string().optional(),
  /** The runs that held it before this one and died (what they wrote is this run's to finish). */
  before: z.array(z.object({ host: z.string(), pid: z.int() })).default([]),
});
export type ClaimRecord = z.infer<typeof ClaimSchema>;
export type ClaimDecision = Pick<ClaimRecord, 'command' | 'site' | 'epoch' | 'from' | 'to' | 'mode'> & { quarantine?: string };

export const claimPath = (epoch: number, dir = IDENTITY_DIR) => `${dir}/_claim.${String(epoch).padStart(10, '0')}.json`;
const tmpOf = (epoch: number, dir = IDENTITY_DIR) =>
  `${dir}/_tmp.claim.${String(epoch).padStart(10, '0')}.${os.hostname()}.${process.pid}.json`;

/** A claim found on a site: its record (undefined when it cannot be read) and whether its holder is gone. */
export interface FoundClaim {
  path: string;
  epoch: number;
  record: ClaimRecord | undefined;
  gone: boolean;
}

/** Is the run holding a claim gone? On this host: its process is dead; anywhere: its lease expired. */
export function holderGone(r: ClaimRecord, now: Date, host = os.hostname()): boolean {
  if (r.host === host && !alive(r.pid)) return true;
  return Date.parse(r.leaseUntil) < now.getTime();
}

/**
 * The claims a site holds. A claim that cannot be read counts as gone once it is older than a lease;
 * so do the temporary files a run that died left beside the identities (a claim or an identity written
 * aside, a dead claim renamed away): found as claims nobody holds, to be removed, once they are that old.
 */
export async function readClaims(hdfs: WebHdfs, now: Date, dir = IDENTITY_DIR): Promise<FoundClaim[]> {
  if (!(await hdfs.getFileStatus(dir))) return [];
  const out: FoundClaim[] = [];
  for (const s of await hdfs.listStatus(dir)) {
    const old = now.getTime() - s.modificationTime > LEASE_MS;
    if ((s.pathSuffix.startsWith('_tmp.') || s.pathSuffix.includes('.gone.')) && old)
      out.push({ path: `${dir}/${s.pathSuffix}`, epoch: 0, record: undefined, gone: true });
    const m = /^_claim\.(\d{10})\.json$/.exec(s.pathSuffix);
    if (!m) continue;
    const path = `${dir}/${s.pathSuffix}`;
    const record = parsed(ClaimSchema, (await hdfs.readFile(path))?.toString('utf8'));
    const gone = record ? holderGone(record, now) : now.getTime() - s.modificationTime > LEASE_MS;
    out.push({ path, epoch: Number(m[1]), record, gone });
  }
  return out;
}

/** The calls that make a claim, in order (what a plan shows of it). */
export const claimWrites = (epoch: number, dir = IDENTITY_DIR): WebHdfsRequest[] => [
  ops.mkdirs(dir),
  ops.create(tmpOf(epoch, dir), true),
  ops.rename(tmpOf(epoch, dir), claimPath(epoch, dir)),
];

/** A claim held by this run. */
export interface Claim {
  path: string;
  record: ClaimRecord;
  /** The record of the dead run this one took over from. */
  takenOver: ClaimRecord | undefined;
  /** Record a step as done (and renew the lease). */
  done(step: string): Promise<void>;
  /** Remove the claim: the change is complete. A failure throws (the claim would block the next run). */
  release(): Promise<void>;
  /** Leave the claim for the next run to carry on: a step past the point of no return failed; its lease ends now. */
  abandon(): Promise<void>;
}

const who = (r: ClaimRecord | undefined) =>
  r ? `${r.command} on ${r.host} (pid ${r.pid}, since ${r.at}, lease until ${r.leaseUntil})` : 'a claim that cannot be read';

async function writeAside(hdfs: WebHdfs, record: ClaimRecord, dir: string): Promise<boolean> {
  const [mkdirs, create, rename] = claimWrites(record.epoch, dir) as [WebHdfsRequest, WebHdfsRequest, WebHdfsRequest];
  await hdfs.send(mkdirs);
  await hdfs.createFile(create.path, `${JSON.stringify(record, null, 2)}\n`, true);
  if (await hdfs.rename(rename.path, String(rename.params?.destination))) return true;
  if (!(await hdfs.delete(create.path))) throw new CatalogError(`could not remove ${create.path}; remove it (hdfs dfs -rm)`);
  return false;
}

const asideOf = (path: string) => `${path}.gone.${os.hostname()}.${process.pid}`;

/**
 * The calls that make a claim, in order: a new one is written aside and renamed onto its name; a
 * dead run's claim is first renamed away (of two runs taking it over, one wins), and removed after.
 */
export function claimChanges(epoch: number, takeOver: FoundClaim | undefined, dir = IDENTITY_DIR): WebHdfsRequest[] {
  const path = claimPath(epoch, dir);
  const writes = claimWrites(epoch, dir);
  return takeOver ? [ops.rename(path, asideOf(path)), ...writes, ops.delete(asideOf(path))] : writes;
}

/**
 * Claim the change of a site's identity to an epoch before anything is changed. A claim already
 * there whose holder lives: LockedError, nothing changed. One whose holder is gone (`takeOver`, as
 * the plan found it): renamed away and replaced, its record (steps done, quarantine) handed to this run.
 */
export async function claimEpoch(
  hdfs: WebHdfs,
  decision: ClaimDecision,
  clock: () => Date,
  warn: (text: string) => void,
  takeOver?: FoundClaim,
  dir = IDENTITY_DIR,
): Promise<Claim> {
  const path = claimPath(decision.epoch, dir);
  const lease = () => new Date(clock().getTime() + LEASE_MS).toISOString();
  const taken = takeOver?.record;
  const record: ClaimRecord = {
    ...decision,
    ...(taken?.quarantine ? { quarantine: taken.quarantine } : {}),
    host: os.hostname(),
    pid: process.pid,
    at: clock().toISOString(),
    leaseUntil: lease(),
    done: taken?.done ?? [],
    before: taken ? [...taken.before, { host: taken.host, pid: taken.pid }] : [],
  };
  const lost = () => new LockedError(`${decision.site}: another run claimed epoch ${decision.epoch} first; nothing was changed`);
  if (takeOver) {
    if (!(await hdfs.rename(path, asideOf(path)))) throw lost();
    if (!(await writeAside(hdfs, record, dir))) throw lost();
    if (!(await hdfs.delete(asideOf(path))))
      warn(`${decision.site}: could not remove ${asideOf(path)} (the dead run's claim); remove it (hdfs dfs -rm)`);
    warn(`${decision.site}: took over the claim of ${who(taken)}, which no longer runs; carrying on from where it stopped`);
  } else if (!(await writeAside(hdfs, record, dir))) {
    const found = (await readClaims(hdfs, clock(), dir)).find((c) => c.path === path);
    throw new LockedError(
      found && !found.gone
        ? `${decision.site}: ${who(found.record)} is changing its identity to epoch ${decision.epoch}; nothing was changed. Run again once it has ended (it ends by itself, or its lease runs out)`
        : `${decision.site}: a claim of epoch ${decision.epoch} appeared while this run planned (${who(found?.record)}); nothing was changed: run again`,
    );
  }
  const write = async () => {
    record.leaseUntil = lease();
    await hdfs.createFile(path, `${JSON.stringify(record, null, 2)}\n`, true);
  };
  // Renewed while the run lives; a renewal that fails is said (another run could take the claim over).
  const timer = setInterval(
    () => void write().catch((e: Error) => warn(`${decision.site}: the claim's lease could not be renewed: ${e.message}`)),
    LEASE_MS / 3,
  );
  timer.unref();
  return {
    path,
    record,
    takenOver: taken,
    done: async (step) => {
      if (!record.done.includes(step)) record.done.push(step);
      await write();
    },
    abandon: async () => {
      clearInterval(timer);
      record.leaseUntil = new Date(clock().getTime() - 1).toISOString();
      await hdfs.createFile(path, `${JSON.stringify(record, null, 2)}\n`, true);
    },
    release: async () => {
      clearInterval(timer);
      if (!(await hdfs.delete(path)) && (await hdfs.getFileStatus(path)))
        throw new CatalogError(
          `${decision.site}: the claim ${path} could not be removed; the change is complete: remove it (hdfs dfs -rm)`,
        );
    },
  };
}

/** A dead claim of a change that is complete or obsolete: removed, said, never left to block a later run. */
export async function dropClaim(hdfs: WebHdfs, claim: FoundClaim): Promise<void> {
  if (!(await hdfs.delete(claim.path)) && (await hdfs.getFileStatus(claim.path)))
    throw new CatalogError(`the claim ${claim.path} could not be removed; remove it (hdfs dfs -rm)`);
}

/** A claim as one line a person reads: what was being done, by whom, and whether that run still lives. */
export function describeClaim(c: FoundClaim): string {
  const r = c.record;
  if (!r) return `a claim to epoch ${c.epoch} that cannot be read (${c.path})`;
  const what =
    r.command === 'failover'
      ? `a failover ${r.from} → ${r.to} (${r.mode}) to epoch ${r.epoch}`
      : `a failback of ${r.from} as the secondary of ${r.to} at epoch ${r.epoch}`;
  return `${what}, begun by pid ${r.pid} on ${r.host} at ${r.at}, ${c.gone ? 'did not finish (that run is gone)' : `is under way (lease until ${r.leaseUntil})`}`;
}
