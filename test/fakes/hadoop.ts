// Fake clusters behind one `fetch` (their NameNodes, answering WebHDFS as a NameNode does, with
// RemoteExceptions) and one DataNode upload.
import crypto from 'node:crypto';
import { FakeHdfs, type Node, notFound, Remote } from './hdfs.js';

function status(name: string, n: Node) {
  return {
    pathSuffix: name,
    type: n.type,
    length: n.type === 'FILE' ? n.data.length : 0,
    owner: n.owner ?? 'hdfs',
    group: n.group ?? 'supergroup',
    permission: n.permission ?? '755',
    ...(n.acl?.length ? { aclBit: true } : {}),
    ...(n.encrypted ? { encBit: true } : {}),
    modificationTime: n.mtime,
    ...(n.snapshottable ? { snapshotEnabled: true } : {}),
  };
}

function summary(n: Node) {
  let fileCount = 0;
  let directoryCount = 0;
  let length = 0;
  const walk = (x: Node) => {
    if (x.type === 'FILE') {
      fileCount++;
      length += x.data.length;
    } else {
      directoryCount++;
      for (const c of x.children.values()) walk(c);
    }
  };
  walk(n);
  return { fileCount, directoryCount, length };
}

function answer(fs: FakeHdfs, method: string, url: URL): { status: number; body: unknown } {
  const p = decodeURIComponent(url.pathname.replace(/^\/webhdfs\/v1/, '')) || '/';
  const q = url.searchParams;
  const op = q.get('op') ?? '';
  // Asked with noredirect, a NameNode names the DataNode that serves the data instead of serving it.
  const toDataNode = () =>
    q.get('noredirect') === 'true' && !url.hostname.endsWith('-dn')
      ? { status: 200, body: { Location: `http://${fs.name}-dn:9864${url.pathname}?op=${op}&namenoderpcaddress=${fs.name}:8020` } }
      : undefined;
  if (method !== 'GET') fs.changes.push(`${method} ${op} ${p}`);
  const intercepted = fs.intercept?.(method, op, p);
  if (intercepted) return intercepted;
  const need = () => {
    const n = fs.lookup(p);
    if (!n) throw notFound(p);
    return n;
  };
  switch (`${method} ${op}`) {
    case 'GET GETFILESTATUS':
      return { status: 200, body: { FileStatus: status('', need()) } };
    case 'GET LISTSTATUS': {
      const n = need();
      const list = n.type === 'FILE' ? [status('', n)] : [...n.children].map(([k, c]) => status(k, c));
      return { status: 200, body: { FileStatuses: { FileStatus: list } } };
    }
    case 'GET LISTSTATUS_BATCH': {
      // As a NameNode pages a listing (dfs.ls.limit, here 2 to make paging show): sorted by the names' bytes.
      const n = need();
      const all = n.type === 'FILE' ? [status('', n)] : [...n.children].map(([k, c]) => status(k, c));
      all.sort((a, b) => Buffer.compare(Buffer.from(a.pathSuffix), Buffer.from(b.pathSuffix)));
      const after = q.get('startAfter');
      const rest = after === null ? all : all.filter((e) => Buffer.compare(Buffer.from(e.pathSuffix), Buffer.from(after)) > 0);
      const page = rest.slice(0, 2);
      fs.pages++;
      return {
        status: 200,
        body: { DirectoryListing: { partialListing: { FileStatuses: { FileStatus: page } }, remainingEntries: rest.length - page.length } },
      };
    }
    case 'GET OPEN':
      need();
      return toDataNode() ?? { status: 200, body: need().data };
    case 'GET GETCONTENTSUMMARY':
      return { status: 200, body: { ContentSummary: summary(need()) } };
    case 'GET GETFILECHECKSUM': {
      need();
      const located = toDataNode();
      if (located) return located;
      const bytes = crypto.createHash('md5').update(need().data).digest('hex');
      return { status: 200, body: { FileChecksum: { algorithm: 'MD5-of-0MD5-of-512CRC32C', bytes, length: 28 } } };
    }
    case 'GET GETSNAPSHOTTABLEDIRECTORYLIST': {
      const list = fs.snapshottableDirs().map((d) => {
        const i = d.lastIndexOf('/');
        return { dirStatus: { pathSuffix: d.slice(i + 1) }, parentFullPath: d.slice(0, i) || '/' };
      });
      return { status: 200, body: { SnapshottableDirectoryList: list.length ? list : null } };
    }
    case 'GET GETSNAPSHOTDIFF':
      fs.diffs.set(p, (fs.diffs.get(p) ?? 0) + 1);
      return {
        status: 200,
        body: { SnapshotDiffReport: { diffList: fs.diff(p, q.get('oldsnapshotname') ?? '', q.get('snapshotname') ?? '') } },
      };
    case 'GET GETACLSTATUS': {
      const n = need();
      const [, st] = [n, status('', n)];
      return {
        status: 200,
        body: { AclStatus: { owner: st.owner, group: st.group, permission: st.permission, entries: n.acl ?? [], stickyBit: false } },
      };
    }
    case 'GET GETQUOTAUSAGE': {
      const n = need();
      const s = summary(n);
      const quota = n.quota ?? { names: -1, space: -1 };
      return {
        status: 200,
        body: {
          QuotaUsage: {
            quota: quota.names,
            spaceQuota: quota.space,
            fileAndDirectoryCount: s.fileCount + s.directoryCount,
            spaceConsumed: s.length,
          },
        },
      };
    }
    case 'PUT SETOWNER': {
      const n = need();
      n.owner = q.get('owner') ?? n.owner;
      n.group = q.get('group') ?? n.group;
      return { status: 200, body: null };
    }
    case 'PUT SETPERMISSION':
      need().permission = q.get('permission') ?? '755';
      return { status: 200, body: null };
    case 'PUT SETACL':
      // Named entries only are kept as ACL entries (the base ones are the permission), as GETACLSTATUS lists them.
      need().acl = (q.get('aclspec') ?? '').split(',').filter((e) => /^(default:)?(user|group):[^:]+:/.test(e) || e.startsWith('default:'));
      return { status: 200, body: null };
    case 'PUT REMOVEACL':
      need().acl = [];
      return { status: 200, body: null };
    case 'PUT SETTIMES':
      need().mtime = Number(q.get('modificationtime') ?? need().mtime);
      return { status: 200, body: null };
    case 'GET GETXATTRS':
      return { status: 200, body: { XAttrs: Object.entries(need().xattrs ?? {}).map(([name, value]) => ({ name, value })) } };
    case 'PUT SETXATTR': {
      const n = need();
      n.xattrs = { ...n.xattrs, [q.get('xattr.name') ?? '']: q.get('xattr.value') ?? '' };
      return { status: 200, body: null };
    }
    case 'PUT REMOVEXATTR': {
      const n = need();
      const { [q.get('xattr.name') ?? '']: _, ...rest } = n.xattrs ?? {};
      n.xattrs = rest;
      return { status: 200, body: null };
    }
    case 'PUT SETQUOTA':
      need().quota = { names: Number(q.get('namespacequota') ?? -1), space: Number(q.get('storagespacequota') ?? -1) };
      return { status: 200, body: null };
    case 'PUT MKDIRS':
      fs.parentOf(p, true);
      fs.mkdirs(p);
      return { status: 200, body: { boolean: true } };
    case 'PUT RENAME':
      return { status: 200, body: { boolean: fs.rename(p, q.get('destination') ?? '') } };
    case 'DELETE DELETE':
      return { status: 200, body: { boolean: fs.remove(p) } };
    case 'PUT CREATE': {
      const exists = fs.lookup(p);
      if (exists && q.get('overwrite') !== 'true') throw new Remote(403, 'FileAlreadyExistsException', `${p} for client already exists`);
      fs.parentOf(p, true);
      return {
        status: 200,
        body: { Location: `http://${fs.name}-dn:9864/webhdfs/v1${url.pathname.replace(/^\/webhdfs\/v1/, '')}?op=CREATE` },
      };
    }
    case 'PUT ALLOWSNAPSHOT':
      fs.allowSnapshot(p);
      return { status: 200, body: null };
    case 'PUT DISALLOWSNAPSHOT':
      fs.disallowSnapshot(p);
      return { status: 200, body: null };
    case 'PUT CREATESNAPSHOT':
      fs.createSnapshot(p, q.get('snapshotname') ?? '');
      return { status: 200, body: { Path: `${p}/.snapshot/${q.get('snapshotname')}` } };
    case 'DELETE DELETESNAPSHOT':
      fs.deleteSnapshot(p, q.get('snapshotname') ?? '');
      return { status: 200, body: null };
    default:
      throw new Remote(400, 'IllegalArgumentException', `Invalid value for webhdfs parameter "op": ${op}`);
  }
}

/** Several fake clusters behind one fetch (NameNodes) and one DataNode upload. */
export class FakeHadoop {
  readonly clusters = new Map<string, FakeHdfs>();
  constructor(readonly now: () => Date) {}

  add(name: string): FakeHdfs {
    const c = new FakeHdfs(name, this.now);
    this.clusters.set(name, c);
    return c;
  }

  byFs(uri: string): { cluster: FakeHdfs; path: string } {
    const m = /^hdfs:\/\/([^/]+)(\/.*)?$/.exec(uri);
    const cluster = m && this.clusters.get(m[1]!);
    if (!cluster) throw new Error(`no fake cluster for ${uri}`);
    return { cluster, path: m[2] ?? '/' };
  }

  readonly fetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const cluster = this.clusters.get(url.hostname.replace(/-[nd]n$/, ''));
    if (!cluster || cluster.down) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const headers = { date: new Date(this.now().getTime() + cluster.clockMs).toUTCString(), 'content-type': 'application/json' };
    try {
      const { status, body } = answer(cluster, init?.method ?? 'GET', url);
      const text = Buffer.isBuffer(body) ? body : body === null ? '' : JSON.stringify(body);
      return new Response(text, { status, headers });
    } catch (e) {
      if (!(e instanceof Remote)) throw e;
      return new Response(JSON.stringify({ RemoteException: { exception: e.exception, message: e.message } }), {
        status: e.status,
        headers,
      });
    }
  };

  readonly putData = async (location: string, data: Uint8Array) => {
    const url = new URL(location);
    const cluster = this.clusters.get(url.hostname.replace(/-dn$/, ''))!;
    cluster.write(decodeURIComponent(url.pathname.replace(/^\/webhdfs\/v1/, '')), Buffer.from(data));
    return { status: 201, body: '' };
  };
}
