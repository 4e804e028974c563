// hbackup's own fetch on node:http against a real server on loopback: answers stream, redirects
// are followed only when asked, and failures look as fetch's do (a cause with the system's code).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/http/client.js';
import { readCapped } from '../../src/http/read.js';

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/json') {
      res.setHeader('Date', ['Wed, 25 Nov 2026 02:00:00 GMT', 'Wed, 25 Nov 2026 02:00:00 GMT']);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, xsrf: req.headers['x-xsrf-header'] ?? null }));
    } else if (req.url === '/hop') {
      res.writeHead(307, { location: '/json' }).end();
    } else if (req.url === '/loop') {
      res.writeHead(307, { location: '/loop' }).end();
    } else if (req.url === '/short') {
      res.writeHead(200, { 'content-length': '1000' });
      res.end('{"cut":');
    } else if (req.url === '/reset') {
      req.socket.destroy();
    } else if (req.url === '/hang') {
      // never answers
    } else if (req.url === '/endless') {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const more = () => {
        while (res.write(chunk));
        res.once('drain', more);
      };
      more();
      res.on('close', () => res.removeAllListeners('drain'));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('httpFetch', () => {
  it('sends the method and headers and answers a Response', async () => {
    const r = await httpFetch(`${base}/json`, { method: 'PUT', headers: { 'X-XSRF-HEADER': 'hbackup' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ method: 'PUT', xsrf: 'hbackup' });
    expect(r.headers.get('date')).toBe('Wed, 25 Nov 2026 02:00:00 GMT, Wed, 25 Nov 2026 02:00:00 GMT');
  });

  it('follows a redirect only when asked, and not for ever', async () => {
    const manual = await httpFetch(`${base}/hop`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([307, '/json']);
    const followed = await httpFetch(`${base}/hop`, { redirect: 'follow' });
    expect(await followed.json()).toMatchObject({ method: 'GET' });
    await expect(httpFetch(`${base}/loop`, { redirect: 'follow' })).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { message: 'more than 5 redirects' },
    });
  });

  it('fails as fetch does: refused and reset connections carry their code; a timeout is an AbortError', async () => {
    await expect(httpFetch('http://127.0.0.1:1/')).rejects.toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
    await expect(httpFetch(`${base}/reset`)).rejects.toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNRESET' } });
    const err = await httpFetch(`${base}/hang`, { signal: AbortSignal.timeout(200) }).catch((e: Error) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('streams a body: a cut-off answer and an endless one end in one clean error each', async () => {
    // The server says 1000 bytes, sends 7 and waits: the call's time limit ends it.
    const short = await httpFetch(`${base}/short`, { signal: AbortSignal.timeout(300) });
    await expect(readCapped(short, 1024, 'GET /short')).rejects.toThrow('GET /short: answer cut off: it did not end in time');
    const endless = await httpFetch(`${base}/endless`);
    await expect(readCapped(endless, 1024 * 1024, 'GET /endless')).rejects.toThrow('GET /endless: answer too large: more than 1 MiB');
  });
});
