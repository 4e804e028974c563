/**
 * The catalog of restore points, kept on the secondary itself so every control host sees the same
 * list: one JSON file per restore point, `/.hbackup/catalog/<service>/<stamp>.json`, written under
 * a temporary name and renamed, so a half-written entry never exists.
 */
import { snapshotPath } from '../hdfs/paths.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

export const CATALOG_ROOT = '/.hbackup/catalog';

export type CopyMode = 'full' | 'incremental';

export interface DatasetRecord {
  type: 'hdfs';
  source: string;
  target: string;
  snapshot: string;
  snapshotAt: string;
  mode: CopyMode;
  fallbackReason?: string;
  bytesCopied: number;
  filesCopied: number;
  files: number;
  directories: number;
  bytes: number;
  copyMs: number;
  verification: { summary: 'ok'; checksums: 'ok' | 'skipped'; filesChecksummed: number };
}

export interface RestorePoint {
  format: 1;
  service: string;
  stamp: string;
  moment: string;
  snapshot: string;
  primary: string;
  secondary: string;
  initiator: 'primary' | 'secondary';
  consistencyWindowMs: number;
  durationMs: number;
  completedAt: string;
  datasets: DatasetRecord[];
}

export const serviceDir = (service: string) => `${CATALOG_ROOT}/${service}`;
export const entryPath = (service: string, stamp: string) => `${serviceDir(service)}/${stamp}.json`;

/** All restore points of a service, oldest first. Temporary files of an interrupted write are ignored. */
export async function listRestorePoints(hdfs: WebHdfs, service: string): Promise<RestorePoint[]> {
  const dir = serviceDir(service);
  const st = await hdfs.getFileStatus(dir);
  if (!st) return [];
  const names = (await hdfs.listStatus(dir))
    .map((s) => s.pathSuffix)
    .filter((n) => /^\d{8}T\d{6}Z\.json$/.test(n))
    .sort();
  const out: RestorePoint[] = [];
  for (const n of names) {
    const data = await hdfs.readFile(`${dir}/${n}`);
    if (!data) continue;
    try {
      out.push(JSON.parse(data.toString('utf8')) as RestorePoint);
    } catch {
      /* an unreadable entry is not a restore point */
    }
  }
  return out;
}

export async function writeRestorePoint(hdfs: WebHdfs, rp: RestorePoint): Promise<string> {
  const final = entryPath(rp.service, rp.stamp);
  const tmp = `${serviceDir(rp.service)}/_tmp.${rp.stamp}.json`;
  await hdfs.mkdirs(serviceDir(rp.service));
  await hdfs.createFile(tmp, `${JSON.stringify(rp, null, 2)}\n`, true);
  if (!(await hdfs.rename(tmp, final))) throw new Error(`could not rename ${tmp} to ${final}`);
  return final;
}

export async function deleteRestorePoint(hdfs: WebHdfs, service: string, stamp: string): Promise<void> {
  await hdfs.delete(entryPath(service, stamp));
}

export interface RestorePointCheck {
  /** Every data set's snapshot is still on the secondary. */
  intact: boolean;
  /** `<target>/.snapshot/<name>` of each one that is gone. */
  missing: string[];
}

/**
 * Does each restore point still hold what its catalog entry says? A snapshot deleted by hand
 * would leave an entry that cannot be restored from: say so instead of listing it as good.
 */
export async function checkRestorePoints(hdfs: WebHdfs, points: RestorePoint[]): Promise<RestorePointCheck[]> {
  const snapshotsOf = new Map<string, Promise<string[]>>();
  const snapshots = (dir: string) => {
    if (!snapshotsOf.has(dir)) snapshotsOf.set(dir, hdfs.listSnapshots(dir).catch(() => []));
    return snapshotsOf.get(dir)!;
  };
  return Promise.all(
    points.map(async (p) => {
      const missing: string[] = [];
      for (const d of p.datasets) {
        if (!(await snapshots(d.target)).includes(d.snapshot)) missing.push(snapshotPath(d.target, d.snapshot));
      }
      return { intact: missing.length === 0, missing };
    }),
  );
}
