/**
 * The catalog of restore points, kept on the secondary itself so every control host sees the same
 * list: one JSON file per restore point, `/.hbackup/catalog/<service>/<stamp>.json`, written under
 * a temporary name and renamed, so a half-written entry never exists. An entry is read through its
 * schema: one that cannot be parsed is reported with its path, never silently dropped.
 */
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import { ops, type WebHdfsRequest } from '../hdfs/requests.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

const CATALOG_ROOT = '/.hbackup/catalog';

export const COPY_MODES = ['full', 'incremental', 'unchanged'] as const;
export type CopyMode = (typeof COPY_MODES)[number];

const DatasetRecordSchema = z.looseObject({
  type: z.enum(['hdfs', 'hbase', 'hive']),
  source: z.string(),
  target: z.string(),
  snapshot: z.string(),
  snapshotAt: z.string(),
  snapshotRequestedAt: z.string().optional(),
  mode: z.enum(COPY_MODES),
  /** A directory's bytes moved by hbackup through WebHDFS (a small diff) or by DistCp. */
  copiedBy: z.enum(['webhdfs', 'distcp']).optional(),
  directRefused: z.string().optional(),
  fallbackReason: z.string().optional(),
  rolledBack: z.array(z.string()).optional(),
  stoppedJobs: z.array(z.string()).optional(),
  bytesCopied: z.number(),
  filesCopied: z.number(),
  bytesSkipped: z.number().optional(),
  filesSkipped: z.number().optional(),
  files: z.number(),
  directories: z.number(),
  bytes: z.number(),
  copyMs: z.number(),
  verification: z.looseObject({
    summary: z.literal('ok'),
    checksums: z.enum(['ok', 'skipped']),
    filesChecksummed: z.number(),
    /** What the copy held (a directory; entries written before it existed have none): see datasets/hdfs/digest.ts. */
    digest: z.object({ value: z.string().regex(/^[0-9a-f]{64}$/), entries: z.number(), checksums: z.boolean() }).optional(),
  }),
});

const RestorePointSchema = z.looseObject({
  format: z.literal(1),
  service: z.string(),
  stamp: z.string().regex(/^\d{8}T\d{6}Z$/),
  moment: z.string(),
  snapshot: z.string(),
  primary: z.string(),
  secondary: z.string(),
  initiator: z.enum(['primary', 'secondary']),
  consistencyWindowMs: z.number(),
  durationMs: z.number(),
  completedAt: z.string(),
  datasets: z.array(DatasetRecordSchema).min(1),
});

export type DatasetRecord = z.infer<typeof DatasetRecordSchema>;
export type RestorePoint = z.infer<typeof RestorePointSchema>;

/** A catalog entry that is there but cannot be used. */
export interface UnreadableEntry {
  path: string;
  stamp: string;
  reason: string;
}

export interface Catalog {
  /** Readable restore points, oldest first. */
  points: RestorePoint[];
  unreadable: UnreadableEntry[];
  /** Temporary files an interrupted write left (`_tmp.<stamp>.json`): no entry, removed by the next backup. */
  temporary: string[];
}

const serviceDir = (service: string) => `${CATALOG_ROOT}/${service}`;
export const entryPath = (service: string, stamp: string) => `${serviceDir(service)}/${stamp}.json`;
const tmpPath = (service: string, stamp: string) => `${serviceDir(service)}/_tmp.${stamp}.json`;

/** Parse one entry; the reason it cannot be used, or the restore point. */
function parseEntry(text: string, service: string, stamp: string): RestorePoint | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  const r = RestorePointSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return `${issue.path.join('.') || 'the entry'}: ${issue.message}`;
  }
  if (r.data.service !== service || r.data.stamp !== stamp)
    return `names service ${r.data.service} at ${r.data.stamp}, not its own file name`;
  return r.data;
}

/** Every restore point of a service, oldest first; the temporary files of an interrupted write, apart. */
export async function readCatalog(hdfs: WebHdfs, service: string): Promise<Catalog> {
  const dir = serviceDir(service);
  if (!(await hdfs.getFileStatus(dir))) return { points: [], unreadable: [], temporary: [] };
  const all = (await hdfs.listStatus(dir)).map((s) => s.pathSuffix);
  const names = all.filter((n) => /^\d{8}T\d{6}Z\.json$/.test(n)).sort();
  const temporary = all.filter((n) => /^_tmp\.\d{8}T\d{6}Z\.json$/.test(n)).map((n) => `${dir}/${n}`);
  const catalog: Catalog = { points: [], unreadable: [], temporary };
  for (const n of names) {
    const stamp = n.slice(0, -'.json'.length);
    const path = `${dir}/${n}`;
    const data = await hdfs.readFile(path);
    const parsed = data ? parseEntry(data.toString('utf8'), service, stamp) : 'gone while it was read';
    if (typeof parsed === 'string') catalog.unreadable.push({ path, stamp, reason: parsed });
    else catalog.points.push(parsed);
  }
  return catalog;
}

/** The calls that write an entry, in order: its directory, the temporary file, the rename. */
export function entryWrites(service: string, stamp: string): WebHdfsRequest[] {
  return [
    ops.mkdirs(serviceDir(service)),
    ops.create(tmpPath(service, stamp), true),
    ops.rename(tmpPath(service, stamp), entryPath(service, stamp)),
  ];
}

export async function writeRestorePoint(hdfs: WebHdfs, rp: RestorePoint): Promise<string> {
  const final = entryPath(rp.service, rp.stamp);
  const tmp = tmpPath(rp.service, rp.stamp);
  await hdfs.mkdirs(serviceDir(rp.service));
  await hdfs.createFile(tmp, `${JSON.stringify(rp, null, 2)}\n`, true);
  if (!(await hdfs.rename(tmp, final))) {
    throw new CatalogError(
      `the secondary refused to rename ${tmp} to ${final} (does ${final} exist already?); no restore point was recorded`,
    );
  }
  return final;
}

export const entryDelete = (service: string, stamp: string): WebHdfsRequest => ops.delete(entryPath(service, stamp));
