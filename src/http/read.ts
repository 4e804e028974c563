/**
 * Reading HTTP answers from servers hbackup does not control (NameNodes, ResourceManagers): bodies
 * read up to a limit, and network failures said in words.
 */
import { WebHdfsError } from '../errors.js';

export const MiB = 1024 * 1024;

/** Words for what the network said (the code kept for searching), not a library's raw code alone. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate not trusted: signed by a CA this host does not know (give it in tls.ca)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate not trusted: self-signed (give it in tls.ca)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted: its CA is unknown here (give it in tls.ca)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted: its CA is unknown here (give it in tls.ca)',
  CERT_HAS_EXPIRED: 'certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is for another host name',
  EPROTO: 'TLS handshake failed (an http:// server on an https:// address?)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_SOCKET: 'the connection was closed',
  UND_ERR_CONNECT_TIMEOUT: 'no connection in time',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped',
};

export function networkError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s (timeout)`;
  const code = err.cause?.code ?? err.code;
  if (code) return NETWORK_WORDS[code] ? `${NETWORK_WORDS[code]} (${code})` : code;
  return err.cause?.message ?? err.message;
}
/** An answer's body, read up to a limit: a server that sends without end cannot exhaust memory. */
export async function readCapped(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  const tooBig = () => new WebHdfsError(res.status, 'answer too large', `more than ${max / MiB} MiB`, what);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read().catch((e: unknown) => {
      const name = (e as Error).name;
      const why = name === 'AbortError' || name === 'TimeoutError' ? 'it did not end in time' : networkError(e, 0);
      throw new WebHdfsError(res.status, 'answer cut off', why, what);
    });
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
