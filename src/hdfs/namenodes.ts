/**
 * The NameNodes of one cluster as WebHDFS reaches them: several endpoints (an HA pair), the active
 * one found by asking them all at once and skipping a standby's StandbyException; simple
 * authentication (`user.name=`) or a Kerberized cluster's delegation token, fetched again once when
 * it expired; redirects never followed; the `Date` of the last answer kept for clock checks.
 */
import { cleanLine, UnreachableError, WebHdfsError } from '../errors.js';
import { type FetchLike, httpFetch } from '../http/client.js';
import { networkError } from '../http/read.js';
import { encodeHdfsPath, redact, remoteException, staleToken } from './answers.js';
import type { WebHdfsOptions } from './options.js';
import type { HttpCall, WebHdfsRequest } from './requests.js';

export class NameNodes {
  private readonly urls: string[];
  private active = 0;
  readonly fetchImpl: FetchLike;
  readonly user: string;
  readonly timeoutMs: number;
  readonly onCall: ((call: HttpCall) => void) | undefined;
  readonly site: string | undefined;
  private readonly delegation: WebHdfsOptions['delegation'];
  /** The `Date` header of the last answer, for clock-skew checks. */
  lastServerDate: Date | undefined;
  private probed = false;

  constructor(opts: Omit<WebHdfsOptions, 'putData' | 'dataNodes'>) {
    this.urls = opts.urls.map((u) => u.replace(/\/+$/, ''));
    this.user = opts.user;
    this.fetchImpl = opts.fetch ?? httpFetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.onCall = opts.onCall;
    this.site = opts.site;
    this.delegation = opts.delegation;
  }

  /** The endpoint in use (the active NameNode once one has answered). */
  get endpoint(): string {
    return this.urls[this.active]!;
  }

  url(base: string, req: WebHdfsRequest, token?: string): string {
    const q = new URLSearchParams(token === undefined ? { op: req.op, 'user.name': this.user } : { op: req.op, delegation: token });
    for (const [k, v] of Object.entries(req.params ?? {})) q.set(k, String(v));
    return `${base}/webhdfs/v1${encodeHdfsPath(req.path)}?${q.toString()}`;
  }

  /** A request as it would be sent to the active NameNode: `PUT http://nn:9870/webhdfs/v1/…`. */
  describe(req: WebHdfsRequest): string {
    return `${req.method} ${this.url(this.endpoint, req, this.delegation ? '***' : undefined)}`;
  }

  /**
   * Several NameNodes and none known active yet: ask them all at once and take the first that
   * answers, so a hung one costs nothing while a healthy partner answers.
   */
  private async findActive(): Promise<void> {
    this.probed = true;
    const token = await this.delegation?.token();
    const probes = this.urls.map(async (base, index) => {
      const url = this.url(base, { method: 'GET', path: '/', op: 'GETFILESTATUS' }, token);
      this.onCall?.({ method: 'GET', url: redact(url) });
      const res = await this.fetchImpl(url, {
        headers: { 'X-XSRF-HEADER': 'hbackup' },
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) throw new Error(String(res.status));
      return index;
    });
    // None answered: the first pick stays, and the call that follows says why each one failed.
    this.active = await Promise.any(probes).catch(() => this.active);
  }

  /** Send one WebHDFS operation to the active NameNode; returns the response (2xx or 404). */
  async call(req: WebHdfsRequest, renewed = false): Promise<Response> {
    if (this.urls.length > 1 && !this.probed) await this.findActive();
    const token = await this.delegation?.token();
    const errors: string[] = [];
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const index = (this.active + attempt) % this.urls.length;
      const base = this.urls[index]!;
      const url = this.url(base, req, token);
      this.onCall?.({ method: req.method, url: redact(url) });
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: req.method,
          headers: { 'X-XSRF-HEADER': 'hbackup' },
          signal: AbortSignal.timeout(this.timeoutMs),
          // Data operations ask for the DataNode's Location (noredirect); a call is never re-sent where a redirect points.
          redirect: 'manual',
        });
      } catch (e) {
        errors.push(`${base}: ${cleanLine(networkError(e, this.timeoutMs), 120)}`);
        continue;
      }
      // Jetty in Hadoop 3.3 sends Date twice; fetch joins the two with ", ": the first is the one.
      const date = res.headers.get('date')?.split(/, (?=[A-Z][a-z]{2}, )/)[0];
      if (date) this.lastServerDate = new Date(date);
      if (res.ok || res.status === 404) {
        this.active = index;
        return res;
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        const to = cleanLine(redact(res.headers.get('location') ?? ''), 120);
        throw new WebHdfsError(
          res.status,
          'redirect refused',
          `${base} redirected ${req.op} to ${to || 'elsewhere'}; no call is re-sent where a redirect points`,
          `${req.op} ${req.path}`,
        );
      }
      if (res.status === 401 && !this.delegation) {
        await res.body?.cancel().catch(() => undefined);
        throw new WebHdfsError(
          401,
          'authentication required',
          `${base} asks for Kerberos (SPNEGO): the cluster is Kerberized; set ${this.site ? `clusters.${this.site}.kerberos` : 'its kerberos settings'} (principal and keytab, or a ticket cache)`,
          `${req.op} ${req.path}`,
        );
      }
      const remote = await remoteException(res);
      if (this.delegation && !renewed && staleToken(res.status, `${remote.exception} ${remote.message}`)) {
        await this.delegation.renew();
        return this.call(req, true);
      }
      if (remote.exception === 'StandbyException') {
        errors.push(`${base}: standby NameNode`);
        continue;
      }
      this.active = index;
      throw new WebHdfsError(res.status, remote.exception, remote.message, `${req.op} ${req.path}`);
    }
    throw new UnreachableError(`WebHDFS ${req.op} ${req.path}: no active NameNode answered (${errors.join('; ')})`);
  }
}
