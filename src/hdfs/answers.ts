/**
 * Reading what WebHDFS answers, from servers hbackup does not control: JSON objects only, read up
 * to a limit; RemoteExceptions as one clean line; URLs as they may be shown (a delegation token is
 * a secret); paths encoded segment by segment.
 */
import { cleanLine, WebHdfsError } from '../errors.js';
import { MiB, readCapped } from '../http/read.js';
import type { WebHdfsRequest } from './requests.js';

/** A URL as it may be shown: a delegation token is a secret. */
export const redact = (url: string): string => url.replace(/([?&]delegation=)[^&#\s"]*/g, '$1***');

/** Did WebHDFS refuse a delegation token because it expired (or the NameNode no longer knows it)? */
export const staleToken = (status: number, text: string) =>
  (status === 401 || status === 403) && /token/i.test(text) && /expired|can't be found|cannot be found|InvalidToken/i.test(text);

/** Encode an absolute HDFS path for a WebHDFS URL, segment by segment. */
export function encodeHdfsPath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export const notWebHdfs = (req: WebHdfsRequest, what: string) =>
  new WebHdfsError(200, 'not a WebHDFS answer', what, `${req.op} ${req.path}`);

/** The largest answer read: a listing of some 300,000 entries; anything bigger is not a NameNode talking. */
const MAX_ANSWER = 256 * MiB;

/** The JSON object of an answer; anything else (HTML, a list, null) is not WebHDFS talking. */
export async function answer<T>(res: Response, req: WebHdfsRequest): Promise<T> {
  const text = (await readCapped(res, MAX_ANSWER, `${req.op} ${req.path}`)).toString('utf8');
  if (!text) return {} as T;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw notWebHdfs(req, `HTTP ${res.status} with ${cleanLine(text, 80) || 'an empty body'}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw notWebHdfs(req, `HTTP ${res.status} with ${cleanLine(text, 80)}`);
  }
  return body as T;
}

/** The named object of an answer, which WebHDFS always sends for that operation. */
export function field<T>(body: Record<string, unknown>, name: string, req: WebHdfsRequest): T {
  const v = body[name];
  if (v === null || typeof v !== 'object') throw notWebHdfs(req, `no ${name} in the answer`);
  return v as T;
}

export function parseRemote(text: string, status: number): { exception: string; message: string } {
  try {
    const r = (JSON.parse(text) as { RemoteException?: { exception?: string; message?: string } } | null)?.RemoteException;
    if (r)
      return { exception: cleanLine(r.exception ?? 'RemoteException', 80), message: cleanLine((r.message ?? '').split('\n')[0] ?? '') };
  } catch {
    /* not JSON */
  }
  return { exception: `HTTP ${status}`, message: cleanLine(text, 200) };
}

export async function remoteException(res: Response): Promise<{ exception: string; message: string }> {
  // An error's text: what does not fit in 1 MiB is not read (and not shown).
  const text = await readCapped(res, MiB, 'the error').then(
    (b) => b.toString('utf8'),
    () => '',
  );
  const r = parseRemote(text, res.status);
  return r.message ? r : { ...r, message: res.statusText };
}
