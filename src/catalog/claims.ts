/**
 * Which service owns which target directory on the secondary. A full copy runs DistCp with
 * `-delete`: pointed by mistake at a directory holding other data, it would delete that data. So
 * a service claims a target before its first copy into it — one empty file per target,
 * `/.hbackup/targets/<service>/<target, URI-encoded>` — and preflight refuses a target that
 * another service claims, or that holds data no claim or restore point accounts for.
 */
import { ops, type WebHdfsRequest } from '../hdfs/requests.js';
import type { WebHdfs } from '../hdfs/webhdfs.js';

const CLAIMS_ROOT = '/.hbackup/targets';

const claimFile = (service: string, target: string) => `${CLAIMS_ROOT}/${service}/${encodeURIComponent(target)}`;

/** Every claim on the secondary: service → its target directories. */
export async function readClaims(hdfs: WebHdfs): Promise<Map<string, string[]>> {
  const claims = new Map<string, string[]>();
  if (!(await hdfs.getFileStatus(CLAIMS_ROOT))) return claims;
  for (const svc of await hdfs.listStatus(CLAIMS_ROOT)) {
    if (svc.type !== 'DIRECTORY') continue;
    const files = await hdfs.listStatus(`${CLAIMS_ROOT}/${svc.pathSuffix}`);
    claims.set(
      svc.pathSuffix,
      files.map((f) => decodeURIComponent(f.pathSuffix)),
    );
  }
  return claims;
}

/** The calls that claim a target: the service's claims directory, then the claim file (empty, written through the DataNode). */
export const claimWrites = (service: string, target: string): WebHdfsRequest[] => [
  ops.mkdirs(`${CLAIMS_ROOT}/${service}`),
  ops.create(claimFile(service, target), true),
];
