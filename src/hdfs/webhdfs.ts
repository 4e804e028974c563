/**
 * A WebHDFS client: file status, listings walked a page at a time, snapshots, snapshot diffs,
 * content summaries, ACLs, quotas, checksums and small files, through the cluster's NameNodes
 * (namenodes.ts: HA, authentication) and the DataNodes they name (datanode.ts).
 *
 * Every call that changes something is first a `WebHdfsRequest` (requests.ts): plain data a plan
 * can hold and print (`describe`), and that the client sends as is (`send`).
 */
import { WebHdfsError } from '../errors.js';
import { MiB, readCapped } from '../http/read.js';
import { answer, encodeHdfsPath, field, notWebHdfs, parseRemote, redact, remoteException } from './answers.js';
import { type DataNodeMap, dataNodeUrl, unreachableDataNode } from './datanode.js';
import { NameNodes } from './namenodes.js';
import type { WebHdfsOptions } from './options.js';
import { snapshotPath } from './paths.js';
import { httpPutData, type PutData } from './put-data.js';
import {
  type AclStatus,
  type ContentSummary,
  type DiffEntry,
  type FileChecksum,
  type FileStatus,
  ops,
  type QuotaUsage,
  type WebHdfsRequest,
} from './requests.js';

export class WebHdfs {
  private readonly nameNodes: NameNodes;
  private readonly putData: PutData;
  private readonly dataNodes: DataNodeMap;
  readonly user: string;

  constructor(opts: WebHdfsOptions) {
    this.nameNodes = new NameNodes(opts);
    this.putData = opts.putData ?? httpPutData;
    this.dataNodes = opts.dataNodes ?? {};
    this.user = opts.user;
  }

  /** The endpoint in use (the active NameNode once one has answered). */
  get endpoint(): string {
    return this.nameNodes.endpoint;
  }

  /** The `Date` header of the last answer, for clock-skew checks. */
  get lastServerDate(): Date | undefined {
    return this.nameNodes.lastServerDate;
  }

  url(base: string, req: WebHdfsRequest, token?: string): string {
    return this.nameNodes.url(base, req, token);
  }

  /** A request as it would be sent to the active NameNode: `PUT http://nn:9870/webhdfs/v1/…`. */
  describe(req: WebHdfsRequest): string {
    return this.nameNodes.describe(req);
  }

  /** Send one WebHDFS operation to the active NameNode; returns the response (2xx or 404). */
  private call(req: WebHdfsRequest): Promise<Response> {
    return this.nameNodes.call(req);
  }

  /** Send a request and read its JSON answer; a 404 is an error here. */
  async send<T = Record<string, unknown>>(req: WebHdfsRequest): Promise<T> {
    const res = await this.call(req);
    if (res.status === 404) {
      const remote = await remoteException(res);
      throw new WebHdfsError(404, remote.exception, remote.message, `${req.op} ${req.path}`);
    }
    return answer<T>(res, req);
  }

  private get<T>(path: string, op: string, params?: WebHdfsRequest['params']): Promise<T> {
    return this.send<T>({ method: 'GET', path, op, ...(params ? { params } : {}) });
  }

  async getFileStatus(p: string): Promise<FileStatus | undefined> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'GETFILESTATUS' };
    const res = await this.call(req);
    if (res.status === 404) return undefined;
    return field<FileStatus>(await answer(res, req), 'FileStatus', req);
  }

  async listStatus(p: string): Promise<FileStatus[]> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'LISTSTATUS' };
    const body = await this.send(req);
    const list = field<{ FileStatus: FileStatus[] }>(body, 'FileStatuses', req).FileStatus;
    if (!Array.isArray(list)) throw notWebHdfs(req, 'FileStatuses.FileStatus is not a list');
    return list;
  }

  /**
   * A directory's entries a page at a time (LISTSTATUS_BATCH; the NameNode's dfs.ls.limit, 1000 by
   * default), sorted by name as HDFS sorts them: memory holds one page, whatever the directory's size.
   */
  async *listPages(p: string): AsyncGenerator<FileStatus[]> {
    let startAfter: string | undefined;
    for (;;) {
      const req: WebHdfsRequest = {
        method: 'GET',
        path: p,
        op: 'LISTSTATUS_BATCH',
        ...(startAfter === undefined ? {} : { params: { startAfter } }),
      };
      const listing = field<{ partialListing?: { FileStatuses?: { FileStatus?: FileStatus[] } }; remainingEntries?: number }>(
        await this.send(req),
        'DirectoryListing',
        req,
      );
      const page = listing.partialListing?.FileStatuses?.FileStatus ?? [];
      if (!Array.isArray(page)) throw notWebHdfs(req, 'partialListing.FileStatuses.FileStatus is not a list');
      yield page;
      const last = page.at(-1)?.pathSuffix;
      if (!listing.remainingEntries || !page.length || last === undefined || last === startAfter) return;
      startAfter = last;
    }
  }

  /**
   * Every entry below a directory, depth first, each directory's entries in HDFS's order (by the
   * names' bytes), streamed: memory holds one page per level of depth.
   */
  async *walk(p: string, rel = ''): AsyncGenerator<{ rel: string; status: FileStatus }> {
    const base = p === '/' ? '' : p;
    for await (const page of this.listPages(p)) {
      for (const st of page) {
        const childRel = rel ? `${rel}/${st.pathSuffix}` : st.pathSuffix;
        yield { rel: childRel, status: st };
        if (st.type === 'DIRECTORY') yield* this.walk(`${base}/${st.pathSuffix}`, childRel);
      }
    }
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

  async mkdirs(p: string): Promise<void> {
    await this.send(ops.mkdirs(p));
  }

  /** Rename; false when HDFS refused without an exception (e.g. the destination exists). */
  async rename(src: string, dst: string): Promise<boolean> {
    return (await this.send<{ boolean?: boolean }>(ops.rename(src, dst))).boolean === true;
  }

  async delete(p: string, recursive = false): Promise<boolean> {
    return (await this.send<{ boolean?: boolean }>(ops.delete(p, recursive))).boolean === true;
  }

  /** Write a small file (two steps: the NameNode names a DataNode, the DataNode takes the bytes). */
  async createFile(p: string, data: string | Uint8Array, overwrite = false): Promise<void> {
    await this.write(ops.create(p, overwrite), data);
  }

  /** Send a CREATE request (ops.create, ops.createLike) and then its bytes to the DataNode it names. */
  async write(req: WebHdfsRequest, data: string | Uint8Array): Promise<void> {
    const what = `${req.op} ${req.path}`;
    const { url, named } = dataNodeUrl((await this.send<{ Location?: unknown }>(req)).Location, this.dataNodes, what);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const nn = this.nameNodes;
    nn.onCall?.({ method: 'PUT', url: redact(url), dataNode: true });
    const put = await this.putData(url, bytes, nn.timeoutMs).catch((e: unknown) => {
      throw unreachableDataNode(named, url, e, nn.timeoutMs, `WebHDFS ${what}`, nn.site);
    });
    if (put.status < 200 || put.status > 299) {
      const remote = parseRemote(put.body, put.status);
      throw new WebHdfsError(put.status, remote.exception, remote.message, what);
    }
  }

  /** A small file's bytes (hbackup's own: catalog entries, identities; files a direct copy moves), at most `max`. */
  async readFile(p: string, max = 16 * MiB): Promise<Buffer | undefined> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'OPEN', params: { noredirect: true } };
    const res = await this.call(req);
    if (res.status === 404) return undefined;
    const data = await this.fromDataNode(await answer<{ Location?: unknown }>(res, req), req);
    return readCapped(data, max, `${req.op} ${req.path}`);
  }

  async allowSnapshot(p: string): Promise<void> {
    await this.send(ops.allowSnapshot(p));
  }

  async createSnapshot(p: string, name: string): Promise<void> {
    await this.send(ops.createSnapshot(p, name));
  }

  async deleteSnapshot(p: string, name: string): Promise<void> {
    await this.send(ops.deleteSnapshot(p, name));
  }

  /** Names of the snapshots of a snapshottable directory. */
  async listSnapshots(p: string): Promise<string[]> {
    return (await this.listStatus(snapshotPath(p, '').slice(0, -1))).map((s) => s.pathSuffix);
  }

  /** Every snapshottable directory of the filesystem (paths). */
  async snapshottableDirs(): Promise<string[]> {
    type Entry = { dirStatus: { pathSuffix: string }; parentFullPath: string };
    const body = await this.get<{ SnapshottableDirectoryList?: Entry[] | null }>('/', 'GETSNAPSHOTTABLEDIRECTORYLIST');
    return (body.SnapshottableDirectoryList ?? []).map((e) =>
      e.parentFullPath === '/' ? `/${e.dirStatus.pathSuffix}` : `${e.parentFullPath}/${e.dirStatus.pathSuffix}`,
    );
  }

  /** The changes from snapshot `from` to snapshot `to` ("" = the directory as it is now). */
  async snapshotDiff(p: string, from: string, to: string): Promise<DiffEntry[]> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'GETSNAPSHOTDIFF', params: { oldsnapshotname: from, snapshotname: to } };
    const list = field<{ diffList?: DiffEntry[] }>(await this.send(req), 'SnapshotDiffReport', req).diffList ?? [];
    if (!Array.isArray(list)) throw notWebHdfs(req, 'diffList is not a list');
    return list;
  }

  async contentSummary(p: string): Promise<ContentSummary> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'GETCONTENTSUMMARY' };
    const s = field<ContentSummary>(await this.send(req), 'ContentSummary', req);
    return { directoryCount: s.directoryCount, fileCount: s.fileCount, length: s.length };
  }

  async quotaUsage(p: string): Promise<QuotaUsage> {
    return field<QuotaUsage>(await this.get(p, 'GETQUOTAUSAGE'), 'QuotaUsage', { method: 'GET', path: p, op: 'GETQUOTAUSAGE' });
  }

  async aclStatus(p: string): Promise<AclStatus> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'GETACLSTATUS' };
    return field<AclStatus>(await this.send(req), 'AclStatus', req);
  }

  /** Extended attributes as name → value (values as WebHDFS encodes them: text by default, or hex as `0x…`). */
  async xattrs(p: string, encoding: 'text' | 'hex' = 'text'): Promise<Record<string, string>> {
    const body = await this.get<{ XAttrs?: { name: string; value: string | null }[] }>(p, 'GETXATTRS', { encoding });
    return Object.fromEntries((body.XAttrs ?? []).map((x) => [x.name, x.value ?? '']));
  }

  async fileChecksum(p: string): Promise<FileChecksum> {
    const req: WebHdfsRequest = { method: 'GET', path: p, op: 'GETFILECHECKSUM', params: { noredirect: true } };
    const data = await this.fromDataNode(await this.send<{ Location?: unknown }>(req), req);
    return field<FileChecksum>(await answer(data, req), 'FileChecksum', req);
  }

  /** The answer of the DataNode a NameNode named for a data operation (its address mapped as the cluster says). */
  private async fromDataNode(located: { Location?: unknown }, req: WebHdfsRequest): Promise<Response> {
    const what = `${req.op} ${req.path}`;
    const { url, named } = dataNodeUrl(located.Location, this.dataNodes, what);
    const nn = this.nameNodes;
    nn.onCall?.({ method: 'GET', url: redact(url), dataNode: true });
    let res: Response;
    try {
      res = await nn.fetchImpl(url, {
        headers: { 'X-XSRF-HEADER': 'hbackup' },
        signal: AbortSignal.timeout(nn.timeoutMs),
        redirect: 'manual',
      });
    } catch (e) {
      throw unreachableDataNode(named, url, e, nn.timeoutMs, `WebHDFS ${what}`, nn.site);
    }
    if (res.ok) return res;
    const remote = await remoteException(res);
    throw new WebHdfsError(res.status, remote.exception, remote.message, what);
  }
}

export { encodeHdfsPath, redact };
