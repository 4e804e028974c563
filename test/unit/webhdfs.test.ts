// The WebHDFS client's own logic, against a scripted fetch: HA endpoints, path encoding, errors,
// and answers that are not WebHDFS. (Its behaviour against a real NameNode is proven by the integration tests.)
import { describe, expect, it } from 'vitest';
import { UnreachableError, WebHdfsError } from '../../src/errors.js';
import { ops } from '../../src/hdfs/requests.js';
import { encodeHdfsPath, WebHdfs } from '../../src/hdfs/webhdfs.js';
import type { FetchLike } from '../../src/http/client.js';

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
      if (url.startsWith('http://nn/')) return Response.json({ Location: 'http://dn1:9864/webhdfs/v1/x?op=OPEN' });
      const endless = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1024 * 1024).fill(32)) });
      return new Response(endless, { status: 200 });
    };
    const h = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch });
    await expect(h.createSnapshot('/d', 's')).rejects.toThrow(
      'http://nn redirected CREATESNAPSHOT to http://evil:1/x; no call is re-sent where a redirect points',
    );
    expect(seen.map((x) => x.redirect)).toEqual(['manual']);
    await expect(h.readFile('/.hbackup/catalog/x.json')).rejects.toThrow('answer too large: more than 16 MiB');
    // Data too: the NameNode is asked for the Location (noredirect), and the DataNode's own answer is read.
    expect(seen.map((x) => x.redirect)).toEqual(['manual', 'manual', 'manual']);
    expect(seen[1]!.url).toContain('op=OPEN&user.name=hdfs&noredirect=true');
    expect(seen[2]!.url).toBe('http://dn1:9864/webhdfs/v1/x?op=OPEN');
  });

  it("maps a DataNode's address as the cluster says, only its host and port; unmapped and unreachable, says what to set", async () => {
    const seen: string[] = [];
    const location = 'http://dn-7f3a.hadoop.internal:9864/webhdfs/v1/f?op=OPEN&namenoderpcaddress=nn:8020&offset=0';
    const fetch: FetchLike = async (url) => {
      seen.push(url);
      if (url.startsWith('http://nn/')) {
        if (url.includes('op=GETFILECHECKSUM')) return Response.json({ Location: location.replace('OPEN', 'GETFILECHECKSUM') });
        return Response.json({ Location: location });
      }
      if (new URL(url).hostname !== 'localhost') throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
      if (url.includes('op=GETFILECHECKSUM')) return Response.json({ FileChecksum: { algorithm: 'MD5', bytes: 'ab', length: 28 } });
      return new Response('bytes');
    };
    const mapped = new WebHdfs({
      urls: ['http://nn'],
      user: 'hdfs',
      fetch,
      dataNodes: { 'dn-7f3a.hadoop.internal:9864': 'localhost:19864' },
    });
    expect((await mapped.readFile('/f'))?.toString()).toBe('bytes');
    expect(seen[1]).toBe('http://localhost:19864/webhdfs/v1/f?op=OPEN&namenoderpcaddress=nn:8020&offset=0');
    expect((await mapped.fileChecksum('/f')).bytes).toBe('ab');

    const plain = new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch, site: 'east' });
    const e = await plain.readFile('/f').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UnreachableError);
    expect((e as Error).message).toBe(
      'WebHDFS OPEN /f: the DataNode dn-7f3a.hadoop.internal:9864 that the NameNode named cannot be reached from this host: host not found (ENOTFOUND); if this host reaches it under another address (a container\'s name or a mapped port), map it in clusters.east.dataNodes, e.g. "dn-7f3a.hadoop.internal:9864": "localhost:9864"',
    );
    // A Location that is not an http(s) URL of a DataNode is not followed.
    const odd =
      (l: string): FetchLike =>
      async () =>
        Response.json({ Location: l });
    for (const l of ['file:///etc/passwd', 'http://u:p@dn:1/x', 'not a url']) {
      await expect(new WebHdfs({ urls: ['http://nn'], user: 'hdfs', fetch: odd(l) }).readFile('/f')).rejects.toThrow(
        /not a WebHDFS answer/,
      );
    }
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
