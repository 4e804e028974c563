/**
 * A WebHDFS client on Node's fetch: file status, snapshots, snapshot diffs, content summaries,
 * checksums and small files. Several endpoints (an HA pair): the active NameNode is found by
 * trying each and skipping a standby's StandbyException. With `dryRun`, calls that change
 * anything are reported through `onCall` and not sent; reads are sent as usual.
 */
import { UnreachableError, WebHdfsError } from '../errors.js';
import { snapshotPath } from './paths.js';
import { httpPutData, type PutData } from './put-data.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpCall {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  url: string;
  mutation: boolean;
  dryRun: boolean;
}

export interface WebHdfsOptions {
  urls: string[];
  user: string;
  fetch?: FetchLike;
  putData?: PutData;
  timeoutMs?: number;
  dryRun?: boolean;
  onCall?: (call: HttpCall) => void;
}

export interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  owner: string;
  group: string;
  permission: string;
  modificationTime: number;
  snapshotEnabled?: boolean;
  aclBit?: boolean;
}

export interface ContentSummary {
  directoryCount: number;
  fileCount: number;
  length: number;
}

export interface FileChecksum {
  algorithm: string;
  bytes: string;
  length: number;
}

export interface AclStatus {
  owner: string;
  group: string;
  permission: string;
  entries: string[];
  stickyBit: boolean;
}

export type DiffType = 'CREATE' | 'MODIFY' | 'DELETE' | 'RENAME';
export interface DiffEntry {
  type: DiffType;
  sourcePath: string;
  targetPath?: string;
}

/** Encode an absolute HDFS path for a WebHDFS URL, segment by segment. */
export function encodeHdfsPath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export class WebHdfs {
  private readonly urls: string[];
  private active = 0;
  private readonly fetchImpl: FetchLike;
  private readonly putData: PutData;
  readonly user: string;
  readonly dryRun: boolean;
  private readonly timeoutMs: number;
  private readonly onCall: ((call: HttpCall) => void) | undefined;
  /** The `Date` header of the last answer, for clock-skew checks. */
  lastServerDate: Date | undefined;

  constructor(opts: WebHdfsOptions) {
    this.urls = opts.urls.map((u) => u.replace(/\/+$/, ''));
    this.user = opts.user;
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.putData = opts.putData ?? httpPutData;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.dryRun = opts.dryRun ?? false;
    this.onCall = opts.onCall;
  }

  /** The endpoint in use (the active NameNode once one has answered). */
  get endpoint(): string {
    return this.urls[this.active]!;
  }

  url(base: string, p: string, op: string, params: Record<string, string | number | boolean> = {}): string {
    const q = new URLSearchParams({ op, 'user.name': this.user });
    for (const [k, v] of Object.entries(params)) q.set(k, String(v));
    return `${base}/webhdfs/v1${encodeHdfsPath(p)}?${q.toString()}`;
  }

  /** Send one WebHDFS operation to the active NameNode; returns the response (2xx or 404). */
  private async call(
    method: HttpCall['method'],
    p: string,
    op: string,
    params: Record<string, string | number | boolean> = {},
    mutation = method !== 'GET',
  ): Promise<Response | undefined> {
    if (mutation && this.dryRun) {
      this.onCall?.({ method, url: this.url(this.endpoint, p, op, params), mutation, dryRun: true });
      return undefined;
    }
    const errors: string[] = [];
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const index = (this.active + attempt) % this.urls.length;
      const base = this.urls[index]!;
      const url = this.url(base, p, op, params);
      this.onCall?.({ method, url, mutation, dryRun: false });
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          headers: { 'X-XSRF-HEADER': 'hbackup' },
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'follow',
        });
      } catch (e) {
        const c = (e as { cause?: { code?: string; message?: string } }).cause;
        const cause = c?.code ?? c?.message ?? (e as Error).message;
        errors.push(`${base}: ${cause}`);
        continue;
      }
      const date = res.headers.get('date');
      if (date) this.lastServerDate = new Date(date);
      if (res.ok || res.status === 404) {
        this.active = index;
        return res;
      }
      const remote = await remoteException(res);
      if (remote.exception === 'StandbyException') {
        errors.push(`${base}: standby NameNode`);
        continue;
      }
      this.active = index;
      throw new WebHdfsError(res.status, remote.exception, remote.message, `${op} ${p}`);
    }
    throw new UnreachableError(`WebHDFS ${op} ${p}: no active NameNode answered (${errors.join('; ')})`);
  }

  private async json<T>(method: HttpCall['method'], p: string, op: string, params = {}): Promise<T | undefined> {
    const res = await this.call(method, p, op, params);
    if (!res) return undefined;
    if (res.status === 404) {
      const remote = await remoteException(res);
      throw new WebHdfsError(404, remote.exception, remote.message, `${op} ${p}`);
    }
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  async getFileStatus(p: string): Promise<FileStatus | undefined> {
    const res = await this.call('GET', p, 'GETFILESTATUS');
    if (!res || res.status === 404) return undefined;
    return ((await res.json()) as { FileStatus: FileStatus }).FileStatus;
  }

  async listStatus(p: string): Promise<FileStatus[]> {
    const body = await this.json<{ FileStatuses: { FileStatus: FileStatus[] } }>('GET', p, 'LISTSTATUS');
    return body?.FileStatuses.FileStatus ?? [];
  }

  /** Every entry below a directory, with its path relative to it ("a/b.txt"), directories first. */
  async listRecursive(p: string): Promise<{ rel: string; status: FileStatus }[]> {
    const out: { rel: string; status: FileStatus }[] = [];
    const walk = async (dir: string, rel: string) => {
      for (const st of await this.listStatus(dir)) {
        const childRel = rel ? `${rel}/${st.pathSuffix}` : st.pathSuffix;
        out.push({ rel: childRel, status: st });
        if (st.type === 'DIRECTORY') await walk(`${dir === '/' ? '' : dir}/${st.pathSuffix}`, childRel);
      }
    };
    await walk(p, '');
    return out;
  }

  async mkdirs(p: string, permission?: string): Promise<void> {
    await this.json('PUT', p, 'MKDIRS', permission ? { permission } : {});
  }

  async rename(src: string, dst: string): Promise<boolean> {
    const body = await this.json<{ boolean: boolean }>('PUT', src, 'RENAME', { destination: dst });
    return body?.boolean ?? true;
  }

  async delete(p: string, recursive = false): Promise<boolean> {
    const body = await this.json<{ boolean: boolean }>('DELETE', p, 'DELETE', { recursive });
    return body?.boolean ?? true;
  }

  /** Write a small file (two steps: the NameNode names a DataNode, the DataNode takes the bytes). */
  async createFile(p: string, data: string | Uint8Array, overwrite = false): Promise<void> {
    const res = await this.call('PUT', p, 'CREATE', { overwrite, noredirect: true });
    if (!res) return;
    const { Location } = (await res.json()) as { Location: string };
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const put = await this.putData(Location, bytes, this.timeoutMs);
    if (put.status < 200 || put.status > 299) {
      const remote = parseRemote(put.body, put.status);
      throw new WebHdfsError(put.status, remote.exception, remote.message, `CREATE ${p}`);
    }
  }

  async readFile(p: string): Promise<Buffer | undefined> {
    const res = await this.call('GET', p, 'OPEN');
    if (!res || res.status === 404) return undefined;
    return Buffer.from(await res.arrayBuffer());
  }

  async allowSnapshot(p: string): Promise<void> {
    await this.call('PUT', p, 'ALLOWSNAPSHOT');
  }

  /** Create a snapshot; returns its path (`<dir>/.snapshot/<name>`). */
  async createSnapshot(p: string, name: string): Promise<string> {
    const body = await this.json<{ Path: string }>('PUT', p, 'CREATESNAPSHOT', { snapshotname: name });
    return body?.Path ?? snapshotPath(p, name);
  }

  async deleteSnapshot(p: string, name: string): Promise<void> {
    await this.json('DELETE', p, 'DELETESNAPSHOT', { snapshotname: name });
  }

  /** Names of the snapshots of a snapshottable directory. */
  async listSnapshots(p: string): Promise<string[]> {
    const snapDir = p === '/' ? '/.snapshot' : `${p}/.snapshot`;
    return (await this.listStatus(snapDir)).map((s) => s.pathSuffix);
  }

  /** Every snapshottable directory of the filesystem (paths). */
  async snapshottableDirs(): Promise<string[]> {
    type Entry = { dirStatus: { pathSuffix: string }; parentFullPath: string };
    const body = await this.json<{ SnapshottableDirectoryList: Entry[] | null }>('GET', '/', 'GETSNAPSHOTTABLEDIRECTORYLIST');
    return (body?.SnapshottableDirectoryList ?? []).map((e) =>
      e.parentFullPath === '/' ? `/${e.dirStatus.pathSuffix}` : `${e.parentFullPath}/${e.dirStatus.pathSuffix}`,
    );
  }

  /** The changes from snapshot `from` to snapshot `to` ("" = the directory as it is now). */
  async snapshotDiff(p: string, from: string, to: string): Promise<DiffEntry[]> {
    const body = await this.json<{ SnapshotDiffReport: { diffList: DiffEntry[] } }>('GET', p, 'GETSNAPSHOTDIFF', {
      oldsnapshotname: from,
      snapshotname: to,
    });
    return body?.SnapshotDiffReport.diffList ?? [];
  }

  async contentSummary(p: string): Promise<ContentSummary> {
    const body = await this.json<{ ContentSummary: ContentSummary }>('GET', p, 'GETCONTENTSUMMARY');
    const s = body!.ContentSummary;
    return { directoryCount: s.directoryCount, fileCount: s.fileCount, length: s.length };
  }

  async aclStatus(p: string): Promise<AclStatus> {
    const body = await this.json<{ AclStatus: AclStatus }>('GET', p, 'GETACLSTATUS');
    return body!.AclStatus;
  }

  /** Extended attributes as name → value (values as WebHDFS encodes them, text by default). */
  async xattrs(p: string): Promise<Record<string, string>> {
    const body = await this.json<{ XAttrs: { name: string; value: string | null }[] }>('GET', p, 'GETXATTRS', {
      encoding: 'text',
    });
    return Object.fromEntries((body?.XAttrs ?? []).map((x) => [x.name, x.value ?? '']));
  }

  async fileChecksum(p: string): Promise<FileChecksum> {
    const body = await this.json<{ FileChecksum: FileChecksum }>('GET', p, 'GETFILECHECKSUM');
    return body!.FileChecksum;
  }
}

function parseRemote(text: string, status: number): { exception: string; message: string } {
  try {
    const r = (JSON.parse(text) as { RemoteException?: { exception?: string; message?: string } }).RemoteException;
    if (r) return { exception: r.exception ?? 'RemoteException', message: (r.message ?? '').split('\n')[0] ?? '' };
  } catch {
    /* not JSON */
  }
  return { exception: `HTTP ${status}`, message: text.slice(0, 200).trim() };
}

async function remoteException(res: Response): Promise<{ exception: string; message: string }> {
  const r = parseRemote(await res.text().catch(() => ''), res.status);
  return r.message ? r : { ...r, message: res.statusText };
}
