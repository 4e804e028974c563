/**
 * A small snapshot diff applied by hbackup itself through WebHDFS, with no JVM and no job: what
 * `distcp -update -diff from to -pbcugpaxt` makes of the target, call by call.
 *
 * 1. Renames and deletes as DistCp's diff sync makes them: every renamed or deleted entry moved into
 *    a temporary directory inside the target, deepest first; the renamed ones moved from there to
 *    their new names, shallowest first (a parent made when it lies in a created directory); the
 *    temporary directory deleted with what is left in it. Chains (a→b→c) and swaps come out right.
 * 2. Created directories made, parents first.
 * 3. Each created or modified file written from the source's snapshot with the source's block size
 *    (so file checksums compare), then its owner, group, permission, ACL, xattrs and times; several
 *    files at a time.
 * 4. The created and modified directories' attributes, their times last of all (writing into a
 *    directory changes its time).
 *
 * The diff names what is inside a renamed directory by its old path; paths are carried over to the
 * new names first. Anything the direct path cannot make exactly goes to DistCp, saying why: more files
 * or bytes than the policy's limits, a symbolic link, an encrypted or erasure-coded entry (either side).
 */
import { type Change, type CopyFrom, httpChange, type Performer, perform } from '../../core/change.js';
import { eachLimited } from '../../core/limit.js';
import { type Attributes, attributeChanges, attributesOf } from '../../hdfs/attributes.js';
import { snapshotPath } from '../../hdfs/paths.js';
import { type DiffEntry, type FileStatus, ops, type WebHdfsRequest } from '../../hdfs/requests.js';
import type { WebHdfs } from '../../hdfs/webhdfs.js';
import type { DatasetSpec, FlowContext } from '../kind.js';

export interface DirectLimits {
  maxFiles: number;
  maxBytes: number;
}

export interface DirectCopy {
  /** Renames and deletes, then the created directories: in order. */
  moves: Change[];
  /** Per file, its write and then its attributes, in order; files side by side. */
  files: Change[][];
  /** The directories' attributes, times last. */
  dirs: Change[];
  fileCount: number;
  bytes: number;
}

export type DirectDecision = { copy: DirectCopy } | { refused: string };

/** Where a direct copy parks what it renames or deletes (inside the target: renames stay in one directory tree). */
export const DIRECT_TMP = '.hbackup-direct.tmp';

/** Files read and written at the same time. */
export const DIRECT_CONCURRENCY = 8;

/** Entries of the diff whose statuses are read before the limits are looked at again. */
const STAT_BATCH = 256;

const depth = (p: string) => (p ? p.split('/').length : 0);
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** A path of the diff's old names carried over to the new ones: the deepest renamed directory it lies in decides. */
export function renamedPath(p: string, renames: DiffEntry[]): string {
  let best: DiffEntry | undefined;
  for (const r of renames) if (under(p, r.sourcePath) && (!best || r.sourcePath.length > best.sourcePath.length)) best = r;
  return best ? `${best.targetPath}${p.slice(best.sourcePath.length)}` : p;
}

/**
 * The renames and deletes of a diff as the target's calls, in DistCp's order (pure): into the
 * temporary directory deepest first, out of it to the new names shallowest first, then the rest
 * deleted. `made` says whether a directory of the new names lies in a created one (made before the move).
 */
export function moveRequests(diff: DiffEntry[], root: string, made: (rel: string) => boolean): WebHdfsRequest[] {
  const at = (rel: string) => (rel ? `${root}/${rel}` : root);
  const tmp = `${root}/${DIRECT_TMP}`;
  const leaving = diff.filter((e) => e.type === 'DELETE' || (e.type === 'RENAME' && e.targetPath !== undefined));
  if (!leaving.length) return [];
  const parked = leaving.map((e, i) => ({ e, tmp: `${tmp}/${i}` }));
  const out: WebHdfsRequest[] = [ops.mkdirs(tmp)];
  for (const p of [...parked].sort((a, b) => depth(b.e.sourcePath) - depth(a.e.sourcePath)))
    out.push(ops.rename(at(p.e.sourcePath), p.tmp));
  const arriving = parked.filter((p) => p.e.type === 'RENAME').sort((a, b) => depth(a.e.targetPath!) - depth(b.e.targetPath!));
  const madeDirs = new Set<string>();
  for (const p of arriving) {
    const parent = parentOf(p.e.targetPath!);
    if (parent && made(parent) && !madeDirs.has(parent)) {
      out.push(ops.mkdirs(at(parent)));
      madeDirs.add(parent);
    }
    out.push(ops.rename(p.tmp, at(p.e.targetPath!)));
  }
  out.push(ops.delete(tmp, true));
  return out;
}

interface Entry {
  rel: string;
  status: FileStatus;
  /** Created (its attributes set from nothing) or modified (changed where they differ). */
  created: boolean;
  /** Its path in the diff's old names (a modified directory's attributes on the target are read there). */
  was?: string;
}

/** Why an entry cannot go the direct way, or undefined. */
function refusal(st: FileStatus): string | undefined {
  if (st.type === 'SYMLINK') return 'is a symbolic link';
  if (st.encBit) return 'lies in an encryption zone';
  if (st.ecBit || st.ecPolicy) return 'is erasure-coded';
  return undefined;
}

/**
 * Plan the direct copy of the source's diff `from` → `to` ("" = the directory as it is now, for a dry
 * run) onto the target, which still equals `from`. Read-only.
 */
export async function planDirect(
  ctx: FlowContext,
  spec: DatasetSpec,
  from: string,
  to: string,
  diff: DiffEntry[],
  limits: DirectLimits,
): Promise<DirectDecision> {
  const src = ctx.primary.hdfs;
  const dst = ctx.secondary.hdfs;
  const srcRoot = to ? snapshotPath(spec.source, to) : spec.source;
  const target = await dst.getFileStatus(spec.target);
  const targetRefused = target && refusal(target);
  if (targetRefused) return { refused: `the target ${spec.target} ${targetRefused}` };
  const renames = diff.filter((e) => e.type === 'RENAME' && e.targetPath !== undefined);
  const createdDirs = new Set<string>();
  const entries: Entry[] = [];
  const placed = renames.map((r) => r.targetPath!);
  let files = 0;
  let bytes = 0;
  const tooMuch = () =>
    files > limits.maxFiles
      ? `more than ${limits.maxFiles} files to write (copy.direct.maxFiles)`
      : bytes > limits.maxBytes
        ? `more than ${limits.maxBytes} bytes to write (copy.direct.maxBytes)`
        : undefined;
  const add = (e: Entry): string | undefined => {
    const no = refusal(e.status);
    if (no) return `${e.rel ? `${spec.source}/${e.rel}` : spec.source} ${no}`;
    if (e.status.type === 'FILE') {
      files++;
      bytes += e.status.length;
    } else if (e.created) createdDirs.add(e.rel);
    entries.push(e);
    return tooMuch();
  };
  // The target directory itself keeps its own attributes, as with DistCp -update.
  const named = diff
    .filter((d) => (d.type === 'CREATE' || d.type === 'MODIFY') && d.sourcePath)
    .map((d) => ({ d, rel: renamedPath(d.sourcePath, renames) }));
  // Statuses read side by side, a batch at a time: a diff past the limits is refused without reading it all.
  for (let i = 0; i < named.length; i += STAT_BATCH) {
    const batch = named.slice(i, i + STAT_BATCH);
    const statuses = await eachLimited(batch, DIRECT_CONCURRENCY, ({ rel }) => src.getFileStatus(rel ? `${srcRoot}/${rel}` : srcRoot));
    for (const [j, { d, rel }] of batch.entries()) {
      const status = statuses[j];
      if (!status) continue;
      const created = d.type === 'CREATE';
      const no = add({ rel, status, created, ...(created ? {} : { was: d.sourcePath }) });
      if (no) return { refused: no };
      if (!created || status.type !== 'DIRECTORY') continue;
      for await (const c of src.walk(`${srcRoot}/${rel}`)) {
        const crel = `${rel}/${c.rel}`;
        // What a rename put in place already is there (the diff lists it as modified if it changed).
        if (c.status.type === 'FILE' && placed.some((p) => under(crel, p))) continue;
        const no = add({ rel: crel, status: c.status, created: true });
        if (no) return { refused: no };
      }
    }
  }
  const at = (rel: string) => (rel ? `${spec.target}/${rel}` : spec.target);
  const change = (req: WebHdfsRequest) => httpChange(ctx.secondary, req);
  const made = (rel: string) => [...createdDirs].some((d) => under(rel, d));
  const moves = moveRequests(diff, spec.target, made).map(change);
  const dirs: Change[] = [];
  const times: Change[] = [];
  const fileChanges: Change[][] = [];
  const unique = [...new Map(entries.map((e) => [e.rel, e])).values()];
  for (const e of unique.filter((x) => x.status.type === 'DIRECTORY' && x.created).sort((a, b) => depth(a.rel) - depth(b.rel)))
    moves.push(change(ops.mkdirs(at(e.rel))));
  await eachLimited(unique, DIRECT_CONCURRENCY, async (e) => {
    const path = at(e.rel);
    const srcPath = e.rel ? `${srcRoot}/${e.rel}` : srcRoot;
    const attrs = await attributeRequests(src, srcPath, dst, e, snapshotPath(spec.target, from), path);
    const timed = change(ops.setTimes(path, e.status.modificationTime, e.status.accessTime ?? e.status.modificationTime));
    if (e.status.type === 'FILE') {
      const copyFrom: CopyFrom = { site: ctx.primary.name, path: srcPath, length: e.status.length };
      const write = { ...change(ops.createLike(path, e.status.blockSize ?? 134_217_728)), copyFrom };
      fileChanges.push([write, ...attrs.map(change), timed]);
    } else {
      dirs.push(...attrs.map(change));
      times.push(timed);
    }
  });
  // Planned side by side, listed in the diff's order.
  const order = new Map(unique.map((e, i) => [at(e.rel), i]));
  const key = (c: Change) => order.get('request' in c ? c.request.path : '') ?? 0;
  fileChanges.sort((a, b) => key(a[0]!) - key(b[0]!));
  dirs.sort((a, b) => key(a) - key(b));
  times.sort((a, b) => key(a) - key(b));
  return { copy: { moves, files: fileChanges, dirs: [...dirs, ...times], fileCount: files, bytes } };
}

/**
 * The calls that give the target's entry the source's owner, group, permission, ACL and xattrs. A
 * created entry has nothing yet (a new file's ACL is whatever its parent's default ACL gave it, as
 * with DistCp, unless the source has one); a modified directory is compared with what the target
 * held at `from`.
 */
async function attributeRequests(
  src: WebHdfs,
  srcPath: string,
  dst: WebHdfs,
  e: Entry,
  dstFrom: string,
  path: string,
): Promise<WebHdfsRequest[]> {
  const want = attributesOf(e.status, e.status.aclBit ? await src.aclStatus(srcPath) : undefined);
  const wantX = await src.xattrs(srcPath, 'hex');
  let have: Attributes | undefined;
  let haveX: Record<string, string> = {};
  if (!e.created && e.status.type === 'DIRECTORY') {
    const old = e.was ? `${dstFrom}/${e.was}` : dstFrom;
    const st = await dst.getFileStatus(old);
    if (st) {
      have = attributesOf(st, st.aclBit ? await dst.aclStatus(old) : undefined);
      haveX = await dst.xattrs(old, 'hex');
    }
  }
  const out = attributeChanges(path, want, have);
  for (const [name, value] of Object.entries(wantX))
    if (haveX[name] !== value) out.push(ops.setXAttr(path, { name, value, create: !(name in haveX) }));
  for (const name of Object.keys(haveX)) if (!(name in wantX)) out.push(ops.removeXAttr(path, name));
  return out;
}

/** The direct copy's calls in the order a plan lists them. */
export const directChanges = (copy: DirectCopy): Change[] => [...copy.moves, ...copy.files.flat(), ...copy.dirs];

/**
 * Make a direct copy: the moves in order, the files side by side (every write under way ends before
 * a failure is reported), then the directories' attributes.
 */
export async function applyDirect(p: Performer, copy: DirectCopy, update: (text: string) => void, label: string): Promise<void> {
  for (const c of copy.moves) await perform(p, c);
  let done = 0;
  const failures: unknown[] = [];
  await eachLimited(copy.files, DIRECT_CONCURRENCY, async (chain) => {
    if (failures.length) return;
    try {
      for (const c of chain) await perform(p, c);
    } catch (e) {
      failures.push(e);
    }
    update(`${label}: ${++done} of ${copy.files.length} file(s) written`);
  });
  if (failures.length) throw failures[0];
  for (const c of copy.dirs) await perform(p, c);
}
