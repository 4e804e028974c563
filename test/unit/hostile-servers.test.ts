// Hostile servers: a NameNode on loopback (node:http, real sockets) that answers like a broken or
// malicious one. hbackup must refuse or fail with short clean lines — no escape sequence, no
// newline forged into its log, no stack trace — and never follow a metadata call elsewhere.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import { capture } from './helpers.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const json = (res: http.ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};
const remote = (message: string) => JSON.stringify({ RemoteException: { exception: 'IOException', message } });

const CASES: [string, Handler][] = [
  ['an HTML page with 200', (_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>')],
  ['invalid JSON', (_, res) => json(res, 200, '{"FileStatus": {')],
  ['null', (_, res) => json(res, 200, 'null')],
  ['an empty object', (_, res) => json(res, 200, '{}')],
  ['a list', (_, res) => json(res, 200, '[1,2,3]')],
  [
    'a 500 HTML page of 200 KB',
    (_, res) => res.writeHead(500, { 'content-type': 'text/html' }).end(`<html>${'<p>error</p>\n'.repeat(20_000)}</html>`),
  ],
  [
    'escape sequences and newlines in a RemoteException',
    (_, res) => json(res, 403, remote('\u001b[31mred\u001b[0m\n2026-11-25T00:00:00Z ok forged log line\r\nmore')),
  ],
  ['a 100,000-character RemoteException', (_, res) => json(res, 403, remote('x'.repeat(100_000)))],
  ['a bidi override in a RemoteException', (_, res) => json(res, 403, remote('safe \u202etxt.exe'))],
  [
    'a redirect of a metadata call to another host',
    (_, res) => res.writeHead(307, { location: 'http://127.0.0.2:1/webhdfs/v1/?op=GETFILESTATUS' }).end(),
  ],
  ['a redirect loop', (req, res) => res.writeHead(302, { location: req.url ?? '/' }).end()],
  [
    'an endless body',
    (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      const pump = () => {
        while (res.write(chunk)) {
          if (res.destroyed) return;
        }
        res.once('drain', pump);
      };
      res.write('{"FileStatus":"');
      pump();
    },
  ],
  ['a reset connection', (req) => req.socket.destroy()],
  ['a hung server', () => undefined],
  [
    'a wrong Content-Length',
    (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.end('{"FileStatus":{}}');
    },
  ],
  ['a FileStatus of the wrong shape', (_, res) => json(res, 200, '{"FileStatus": "a string"}')],
  ['a 404 for the root', (_, res) => json(res, 404, remote('File does not exist: /'))],
  [
    'a StandbyException from the only NameNode',
    (_, res) => json(res, 403, JSON.stringify({ RemoteException: { exception: 'StandbyException', message: 'standby' } })),
  ],
];

let handler: Handler = (_, res) => res.end();
let server: http.Server;
let port = 0;
let dir = '';

beforeAll(async () => {
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-hostile-'));
  fs.writeFileSync(
    path.join(dir, 'clusters.yaml'),
    stringify({
      clusters: {
        east: { role: 'primary', webhdfs: `http://127.0.0.1:${port}`, fs: 'hdfs://east', timeoutSeconds: 2 },
        west: { role: 'secondary', webhdfs: `http://127.0.0.1:${port}`, fs: 'hdfs://west', timeoutSeconds: 2 },
      },
    }),
  );
  fs.writeFileSync(path.join(dir, 'p.yaml'), 'service: orders\nclusters: ./clusters.yaml\ndatasets:\n  - hdfs: /data/orders\n');
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function cli(...args: string[]) {
  const [out, err] = [capture(), capture()];
  const code = await main(['node', 'hbackup', ...args], {
    stdout: out.stream,
    stderr: err.stream,
    env: { stateDir: path.join(dir, 'state') },
  });
  return { code, stdout: out.text, stderr: err.text, output: `${out.text}${err.text}` };
}

function expectClean(r: Awaited<ReturnType<typeof cli>>, codes: number[]) {
  expect(codes, r.output).toContain(r.code);
  expect(r.output).not.toMatch(/\n\s+at \S+ \(|This is a bug/);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be printed
  expect(r.output).not.toMatch(/[\u001b\u202e\r]/);
  expect(r.output).not.toContain('forged log line\n');
  for (const line of r.output.split('\n')) expect(line.length, line.slice(0, 200)).toBeLessThan(1200);
}

describe('hostile servers', () => {
  it.each(CASES)(
    'backup --dry-run against %s: refused or failed, in short clean lines',
    async (_, h) => {
      handler = h;
      // Nothing was changed: a site that cannot be used is a refusal, whatever it answered.
      expectClean(await cli('backup', '--dry-run', path.join(dir, 'p.yaml')), [3]);
    },
    30_000,
  );

  it.each(CASES)('status against %s: CRITICAL, in short clean lines, within its timeout', async (_, h) => {
    handler = h;
    const t = Date.now();
    const r = await cli('--clusters', path.join(dir, 'clusters.yaml'), 'status', '--timeout', '2');
    expectClean(r, [1, 2]);
    expect(Date.now() - t).toBeLessThan(9_000);
  });

  it('never sends a metadata call where a redirect points', async () => {
    const elsewhere: string[] = [];
    const other = http.createServer((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      json(res, 200, '{"FileStatus":{"type":"DIRECTORY","pathSuffix":"","length":0}}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const to = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    handler = (req, res) => res.writeHead(307, { location: `${to}${req.url}` }).end();
    const r = await cli('backup', '--dry-run', path.join(dir, 'p.yaml'));
    other.close();
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no call is re-sent where a redirect points');
    expect(elsewhere).toEqual([]);
  });
});
