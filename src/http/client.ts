/**
 * The fetch hbackup's clients use by default: Node's own `http`/`https` with kept-alive connections,
 * answering a WHATWG `Response` whose body streams (so answers are read up to a limit, never held
 * whole). Node's built-in fetch does the same at about twice the memory; a verification that asks
 * for 200,000 checksums is where that shows. Redirects are followed only when asked (`follow`), as
 * WebHDFS needs for the data it serves through a DataNode.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { TlsOptions } from './tls.js';

/** What hbackup asks HTTP servers through: the shape of `fetch`, so tests pass their own. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

type Agents = { 'http:': http.Agent; 'https:': https.Agent };

const agentsFor = (tls?: TlsOptions): Agents => ({
  'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 32, ...(tls ?? {}) }),
});

const MAX_REDIRECTS = 5;

/** As fetch is aborted: an AbortError, the signal's reason (e.g. a TimeoutError) as its cause. */
function aborted(signal: AbortSignal): Error {
  const e = new Error('the operation was aborted', { cause: signal.reason });
  e.name = 'AbortError';
  return e;
}

/** As fetch fails: a TypeError whose cause carries the system error (its `code`). */
const failed = (cause: unknown) => new TypeError('fetch failed', { cause });

function headersOf(raw: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  return headers;
}

function request(agents: Agents, url: URL, init: RequestInit, hops: number): Promise<Response> {
  const protocol = url.protocol as keyof Agents;
  if (!(protocol in agents)) return Promise.reject(failed(new Error(`unsupported protocol ${url.protocol}`)));
  const transport = protocol === 'https:' ? https : http;
  const method = init.method ?? 'GET';
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(aborted(signal));
  return new Promise((resolve, reject) => {
    let answer: http.IncomingMessage | undefined;
    // A time limit ends the call whenever it strikes: before the answer, or while its body streams.
    const onAbort = () => {
      const e = aborted(signal!);
      answer?.destroy(e);
      req.destroy(e);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const req = transport.request(
      url,
      { method, headers: Object.fromEntries(new Headers(init.headers).entries()), agent: agents[protocol] },
      (res) => {
        answer = res;
        res.once('close', () => signal?.removeEventListener('abort', onAbort));
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (init.redirect === 'follow' && status >= 300 && status < 400 && location) {
          res.resume();
          signal?.removeEventListener('abort', onAbort);
          if (hops >= MAX_REDIRECTS) return reject(failed(new Error(`more than ${MAX_REDIRECTS} redirects`)));
          return request(agents, new URL(location, url), init, hops + 1).then(resolve, reject);
        }
        if (status < 200 || status > 599) {
          res.destroy();
          return reject(failed(new Error(`HTTP status ${status}`)));
        }
        const empty = status === 204 || status === 205 || status === 304 || method === 'HEAD';
        if (empty) res.resume();
        const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: headersOf(res.headers) }));
      },
    );
    req.on('error', (e) => reject((e as Error).name === 'AbortError' ? e : failed(e)));
    if (typeof init.body === 'string' || init.body instanceof Uint8Array) req.write(init.body);
    req.end();
  });
}

/** A fetch with its own connections; `tls`: the CA to trust (instead of the system's), or no verification at all. */
export function makeHttpFetch(tls?: TlsOptions): FetchLike {
  const agents = agentsFor(tls);
  return (input, init = {}) => request(agents, new URL(input), init, 0);
}

export const httpFetch: FetchLike = makeHttpFetch();
