/**
 * The second half of a WebHDFS CREATE: the bytes go to the DataNode the NameNode named.
 */
import http from 'node:http';
import https from 'node:https';
import type { TlsOptions } from '../http/tls.js';

/** Send bytes to the DataNode a CREATE was redirected to; returns its HTTP status and body. */
export type PutData = (url: string, data: Uint8Array, timeoutMs: number) => Promise<{ status: number; body: string }>;

/**
 * DataNodes answer an upload with an unsolicited "100 Continue" before the final status, which
 * Node's fetch rejects as a bad response; node:http handles it.
 */
export const makePutData =
  (tls?: TlsOptions): PutData =>
  (url, data, timeoutMs) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = (u.protocol === 'https:' ? https : http).request(
        u,
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': data.byteLength, 'X-XSRF-HEADER': 'hbackup' },
          timeout: timeoutMs,
          ...(u.protocol === 'https:' && tls ? tls : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`PUT ${u.host}: timed out`)));
      req.on('error', reject);
      req.end(data);
    });

export const httpPutData: PutData = makePutData();
