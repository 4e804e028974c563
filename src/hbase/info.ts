/**
 * SnapshotInfo (`hbase snapshot info -files -stats -size-in-bytes`): which files a snapshot holds and
 * how big each is, as the site that keeps it sees them. It exits 0 for a broken snapshot: what it
 * prints decides.
 */

export const infoArgs = (snapshot: string): string[] => ['snapshot', 'info', '-snapshot', snapshot, '-files', '-stats', '-size-in-bytes'];

export interface SnapshotFiles {
  /** File (table/region/family/hfile) → bytes. */
  files: Map<string, number>;
  /** Files listed as NOT FOUND, and the BAD SNAPSHOT summary if any. */
  problems: string[];
  /** The snapshot's TTL in seconds (0: none). */
  ttlSeconds: number;
}

export function parseSnapshotInfo(log: string, snapshot: string): SnapshotFiles {
  const problems: string[] = [];
  if (new RegExp(`Snapshot '${snapshot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' not found`).test(log)) {
    return { files: new Map(), problems: [`snapshot ${snapshot} not found`], ttlSeconds: 0 };
  }
  const files = new Map<string, number>();
  for (const m of log.matchAll(/^\s+(\d+|-) (\S+)(?: \(([^)]*)\))?\s*$/gm)) {
    if (m[1] === '-' || m[3] === 'NOT FOUND') problems.push(`${m[2]} not found`);
    else files.set(m[2]!, Number(m[1]));
  }
  const bad = /^BAD SNAPSHOT: (.*)$/m.exec(log);
  if (bad) {
    const corrupted = /^\s+(\d+) hfile\(s\) corrupted/m.exec(log)?.[1];
    problems.push(`BAD SNAPSHOT: ${bad[1]!.trim()}${corrupted && corrupted !== '0' ? ` ${corrupted} hfile(s) corrupted.` : ''}`);
  }
  if (!/^Snapshot Info$/m.test(log)) problems.push('SnapshotInfo printed no snapshot');
  const ttl = /^\s+Ttl: (\d+)/m.exec(log);
  return { files, problems, ttlSeconds: ttl ? Number(ttl[1]) : 0 };
}

/** Does the copy hold the same files, each of the same size, as the source? Problems, or none. */
export function compareSnapshotFiles(source: SnapshotFiles, copy: SnapshotFiles): string[] {
  const problems = [...source.problems.map((p) => `on the primary: ${p}`), ...copy.problems.map((p) => `on the secondary: ${p}`)];
  for (const [file, size] of source.files) {
    const other = copy.files.get(file);
    if (other === undefined) problems.push(`${file} missing on the secondary`);
    else if (other !== size) problems.push(`${file}: ${size} bytes on the primary, ${other} on the secondary`);
  }
  for (const file of copy.files.keys()) if (!source.files.has(file)) problems.push(`${file} on the secondary only`);
  return problems;
}
