// The WebHDFS client's own logic, against a scripted fetch: HA endpoints, path encoding, errors,
// and answers that are not WebHDFS. (Its behaviour against a real NameNode is proven by the integration tests.)
import { describe, expect, it } from 'vitest';
import { UnreachableError, WebHdfsError } from '../../src/errors.js';
import { ops } from '../../src/hdfs/requests.js';
import { encodeHdfsPath, type FetchLike, WebHdfs } from '../../src/hdfs/webhdfs.js';

type Reply = { status: number; body?: unknown } | Error;

function scripted(replies: Record<string, Reply>) {
  const seen: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    seen.push(`${init?.method ?? 'GET'} ${url}`);
    const key = Object.keys(replies).find((k) => url.startsWith(k));
    const r = key ? replies[key]! : new Error('unexpected');
    if (r instanceof Error) throw Object.assign(new TypeError('fetch failed'), { cause: { code: r.message } });
    return new Response(r.body === undefined ? '' : JSON.stringify(r.body), {
      status: r.status,
      headers: { date: 'Wed, 25 Nov 2026 02:00:00 GMT' },
    });
  };
  return { fetch, seen };
}

const standby = {
  status: 403,
  body: { RemoteException: { exception: 'StandbyException', message: 'Operation category READ is not supported in state standby' } },
};
const status = { status: 200, body: { FileStatus: { type: 'DIRECTORY', pathSuffix: '', length: 0, snapshotEnabled: true } } };

describe('WebHdfs', () => {
  it('encodes each path segment', () => {
    expect(encodeHdfsPath('/a b/ü/x?y#z')).toBe('/a%20b/%C3%BC/x%3Fy%23z');
  });

  it('skips a standby NameNode and a dead one, then stays with the active one', async () => {
    const { fetch, seen } = scripted({ 'http://nn1': new Error('ECONNREFUSED'), 'http://nn2': standby, 'http://nn3': status });
    const h = new WebHdfs({ urls: ['http://nn1', 'http://nn2', 'http://nn3'], user: 'hdfs', fetch });
    expect((await h.getFileStatus('/d'))?.snapshotEnabled).toBe(true);
    await h.getFileStatus('/e');
    // All three asked at once which is active, then only nn3.
    expect(seen.map((s) => s.replace(/\?.*$/, ''))).toEqual([
      'GET http://nn1/webhdfs/v1/',
      'GET http://nn2/webhdfs/v1/',
      'GET http://nn3/webhdfs/v1/',
      'GET http://nn3/webhdfs/v1/d',
      'GET http://nn3/webhdfs/v1/e',
    ]);
    expect(h.endpoint).toBe('http://nn3');
    expect(h.lastServerDate?.toISOString()).toBe('2026-11-25T02:00:00.000Z');
  });

  it('does not wait for a hung NameNode while its HA partner answers', async () => {
    const hung: FetchLike = (url, init) =>
      url.startsWith('http://nn1')
        ? new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new TypeError('fetch failed'))))
        : scripted({ 'http://nn2': status }).fetch(url, init);
    const h = new WebHdfs({ urls: ['http://nn1', 'http://nn2'], user: 'hdfs', fetch: hung, timeoutMs: 20_000 });
    const t = Date.now();
    expect((await h.getFileStatus('/d'))?.type).toBe('DIRECTORY');
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(h.endpoint).toBe('http://nn2');
  });

  it('never re-sends a metadata operation where a redirect points, and reads no endless answer', async () => {
    const seen: { url: string; redirect?: string }[] = [];
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, ...(init?.redirect ? { redirect: init.redirect } : {}) });
      if (url.includes('op=CREATESNAPSHOT')) return new Response('', { status: 307, headers: { location: 'http://evil:1/x' } });
      const endless = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1024 * 1024).fill(32)) });
      return new Response(endless, { status: 200 });
    };
    const h = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch });
    await expect(h.createSnapshot('/d', 's')).rejects.toThrow(
      'http://nn redirected CREATESNAPSHOT to http://evil:1/x; only data is read through a redirect',
    );
    expect(seen.map((x) => x.redirect)).toEqual(['manual']);
    await expect(h.readFile('/.hbackup/catalog/x.json')).rejects.toThrow('answer too large: more than 16 MiB');
    expect(seen.at(-1)?.redirect).toBe('follow');
  });

  it('says which NameNodes failed how when none is active', async () => {
    const { fetch } = scripted({ 'http://nn1': new Error('ECONNREFUSED'), 'http://nn2': standby });
    const h = new WebHdfs({ urls: ['http://nn1', 'http://nn2'], user: 'hdfs', fetch });
    await expect(h.getFileStatus('/d')).rejects.toThrow(UnreachableError);
    await expect(h.getFileStatus('/d')).rejects.toThrow(
      /http:\/\/nn1: connection refused \(ECONNREFUSED\); http:\/\/nn2: standby NameNode/,
    );
  });

  it('turns a RemoteException into an error naming the operation', async () => {
    const { fetch } = scripted({
      'http://nn': {
        status: 403,
        body: { RemoteException: { exception: 'SnapshotException', message: 'Directory is not a snapshottable directory: /d' } },
      },
    });
    const h = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch });
    const e = await h.createSnapshot('/d', 's1').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebHdfsError);
    expect((e as Error).message).toBe('CREATESNAPSHOT /d: SnapshotException: Directory is not a snapshottable directory: /d');
  });

  it('describes a change exactly as it sends it, to the active NameNode', async () => {
    const { fetch, seen } = scripted({ 'http://nn1': standby, 'http://nn2': status });
    const h = new WebHdfs({ urls: ['http://nn1', 'http://nn2'], user: 'hdfs', fetch });
    await h.getFileStatus('/');
    const req = ops.createSnapshot('/a b', 's1');
    expect(h.describe(req)).toBe('PUT http://nn2/webhdfs/v1/a%20b?op=CREATESNAPSHOT&user.name=hdfs&snapshotname=s1');
    await h.send(req);
    expect(seen.at(-1)).toBe(h.describe(req));
  });

  it.each([
    ['an HTML page', '<html><body>Login</body></html>'],
    ['null', 'null'],
    ['a list', '[1,2,3]'],
    ['an object without FileStatus', '{}'],
  ])('calls %s from a NameNode not WebHDFS, naming the operation', async (_, body) => {
    const fetch: FetchLike = async () => new Response(body, { status: 200 });
    const h = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch });
    const e = await h.getFileStatus('/').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebHdfsError);
    expect((e as Error).message).toMatch(/^GETFILESTATUS \/: not a WebHDFS answer: /);
  });

  it('reads the server clock from a Date header sent twice (as Hadoop 3.3 does)', async () => {
    const date = 'Wed, 25 Nov 2026 02:00:00 GMT';
    const fetch: FetchLike = async () => {
      const headers = new Headers();
      headers.append('date', date);
      headers.append('date', date);
      return new Response(JSON.stringify(status.body), { status: 200, headers });
    };
    const h = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch });
    await h.getFileStatus('/');
    expect(h.lastServerDate?.toISOString()).toBe('2026-11-25T02:00:00.000Z');
  });
});
