/**
 * Encryption zones. A file's HDFS checksum is computed over the bytes its DataNodes store, which in
 * a zone are encrypted with a key of the file's own: a copy into or out of a zone (or into another
 * zone) never has the same checksum as its source. Such data sets are copied by DistCp with
 * `-skipcrccheck` (as Hadoop's guide to transparent encryption says) and verified by paths, types
 * and sizes; hbackup never copies them itself.
 */

import type { WebHdfs } from '../../hdfs/webhdfs.js';
import type { Site } from '../../sites/site.js';

/** Does `dir` (or, while it does not exist yet, its nearest existing parent) lie in an encryption zone? */
export async function inZone(hdfs: WebHdfs, dir: string): Promise<boolean> {
  for (let p = dir; ; p = p.slice(0, Math.max(p.lastIndexOf('/'), 1))) {
    const st = await hdfs.getFileStatus(p);
    if (st) return st.encBit === true;
    if (p === '/') return false;
  }
}

export interface Zones {
  /** Which sides lie in a zone, said in a few words (e.g. "the source kms:/ez lies in an encryption zone"). */
  text: string;
  /** The source lies in a zone and the target does not: the secondary stores the data unencrypted. */
  unencryptedCopy: boolean;
}

/** Whether a copy from `from` to `to` touches an encryption zone on either side, or undefined. */
export async function zonesOf(from: Site, fromDir: string, to: Site, toDir: string): Promise<Zones | undefined> {
  const [a, b] = await Promise.all([inZone(from.hdfs, fromDir), inZone(to.hdfs, toDir)]);
  if (!a && !b) return undefined;
  const sides = [a ? `${from.name}:${fromDir}` : '', b ? `${to.name}:${toDir}` : ''].filter(Boolean);
  const text = `${sides.join(' and ')} ${sides.length > 1 ? 'lie in encryption zones' : 'lies in an encryption zone'}`;
  return { text, unencryptedCopy: a && !b };
}
