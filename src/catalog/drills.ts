/**
 * What restore drills found, kept on the secondary beside the catalog: one JSON file per drill,
 * `/.hbackup/drills/<service>/<stamp>.json`, written under a temporary name and renamed like a
 * catalog entry. status, metrics and the report read them; a file that cannot be parsed is named.
 */
import { z } from 'zod';
import { CatalogError } from '../errors.js';
import { ops, type WebHdfsRequest } from '../hdfs/requests.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

const DRILL_ROOT = '/.hbackup/drills';

const DrillDatasetSchema = z.looseObject({
  type: z.string(),
  source: z.string(),
  /** Where the drill restored it (a directory or table with the drill's suffix). */
  scratch: z.string(),
  files: z.number(),
  bytes: z.number(),
  /** What was checked, in words ("digest of 12 entries with checksums", "scan of 1000 rows"). */
  checked: z.array(z.string()),
  problems: z.array(z.string()),
});

const DrillRecordSchema = z.looseObject({
  format: z.literal(1),
  service: z.string(),
  stamp: z.string().regex(/^\d{8}T\d{6}Z$/),
  /** The restore point drilled: its snapshot name and stamp. */
  point: z.string(),
  pointStamp: z.string(),
  site: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  result: z.enum(['ok', 'failed']),
  /** Measured time to restore: from the first change to every data set restored and counted. */
  restoreMs: z.number().nullable(),
  durationMs: z.number(),
  datasets: z.array(DrillDatasetSchema),
  checks: z.array(z.looseObject({ command: z.string(), exitCode: z.number().nullable(), ms: z.number() })),
  problems: z.array(z.string()),
  kept: z.boolean(),
});

export type DrillRecord = z.infer<typeof DrillRecordSchema>;
export type DrillDataset = z.infer<typeof DrillDatasetSchema>;

const serviceDir = (service: string) => `${DRILL_ROOT}/${service}`;
export const drillPath = (service: string, stamp: string) => `${serviceDir(service)}/${stamp}.json`;
const tmpPath = (service: string, stamp: string) => `${serviceDir(service)}/_tmp.${stamp}.json`;

export interface Drills {
  /** Oldest first. */
  drills: DrillRecord[];
  unreadable: { path: string; reason: string }[];
  /** Temporary files a drill killed while recording left. */
  temporary: string[];
}

export async function readDrills(hdfs: WebHdfs, service: string): Promise<Drills> {
  const dir = serviceDir(service);
  if (!(await hdfs.getFileStatus(dir))) return { drills: [], unreadable: [], temporary: [] };
  const all = (await hdfs.listStatus(dir)).map((s) => s.pathSuffix);
  const out: Drills = {
    drills: [],
    unreadable: [],
    temporary: all.filter((n) => n.startsWith('_tmp.')).map((n) => `${dir}/${n}`),
  };
  for (const n of all.filter((x) => /^\d{8}T\d{6}Z\.json$/.test(x)).sort()) {
    const path = `${dir}/${n}`;
    const data = await hdfs.readFile(path);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data?.toString('utf8') ?? '');
    } catch (e) {
      out.unreadable.push({ path, reason: `not JSON (${(e as Error).message})` });
      continue;
    }
    const r = DrillRecordSchema.safeParse(parsed);
    if (r.success) out.drills.push(r.data);
    else out.unreadable.push({ path, reason: `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}` });
  }
  return out;
}

/** The calls that record a drill, in order. */
export const drillWrites = (service: string, stamp: string): WebHdfsRequest[] => [
  ops.mkdirs(serviceDir(service)),
  ops.create(tmpPath(service, stamp), true),
  ops.rename(tmpPath(service, stamp), drillPath(service, stamp)),
];

export async function writeDrill(hdfs: WebHdfs, d: DrillRecord): Promise<string> {
  const final = drillPath(d.service, d.stamp);
  const tmp = tmpPath(d.service, d.stamp);
  await hdfs.mkdirs(serviceDir(d.service));
  await hdfs.createFile(tmp, `${JSON.stringify(d, null, 2)}\n`, true);
  if (!(await hdfs.rename(tmp, final)))
    throw new CatalogError(`the secondary refused to rename ${tmp} to ${final}; the drill was not recorded`);
  return final;
}

/** The newest drill that passed, and the newest of all. */
export function lastDrills(drills: DrillRecord[]): { lastOk: DrillRecord | undefined; last: DrillRecord | undefined } {
  return { lastOk: drills.filter((d) => d.result === 'ok').at(-1), last: drills.at(-1) };
}
