/**
 * A YARN ResourceManager through its REST API (`/ws/v1/cluster`): applications found by tag, an
 * application killed (and seen to end), and a running MapReduce job's progress read through the
 * ResourceManager's proxy to its ApplicationMaster. Several endpoints (an HA pair): the first
 * that answers is used.
 */
import { cleanLine, HbackupError, UnreachableError } from '../errors.js';
import type { FetchLike } from '../http/client.js';
import { httpFetch } from '../http/client.js';
import { MiB, networkError, readCapped } from '../http/read.js';

export interface YarnApp {
  id: string;
  name: string;
  state: string;
  user: string;
  /** Percent, 0-100. */
  progress: number;
  startedTime: number;
  tags: string[];
}

export interface JobProgress {
  mapsTotal: number;
  mapsCompleted: number;
  /** DistCp's own counter, when the ApplicationMaster reports it. */
  bytesCopied?: number;
}

export interface ResourceManagerOptions {
  urls: string[];
  user: string;
  fetch?: FetchLike | undefined;
  timeoutMs?: number;
  onCall?: (call: { method: string; url: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The states of an application that may still write: the ones a kill is for. */
export const LIVE_STATES = ['NEW', 'NEW_SAVING', 'SUBMITTED', 'ACCEPTED', 'RUNNING'];
const FINAL_STATES = new Set(['FINISHED', 'FAILED', 'KILLED']);

export class YarnError extends HbackupError {}

export class ResourceManager {
  private readonly urls: string[];
  private active = 0;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ResourceManagerOptions) {
    this.urls = opts.urls.map((u) => u.replace(/\/+$/, ''));
    this.fetchImpl = opts.fetch ?? httpFetch;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get endpoint(): string {
    return this.urls[this.active]!;
  }

  /** `PUT http://rm:8088/ws/v1/cluster/apps/<id>/state` — how a kill is printed in a plan. */
  describeKill(id: string): string {
    return `PUT ${this.url(this.endpoint, `/ws/v1/cluster/apps/${encodeURIComponent(id)}/state`)} {"state":"KILLED"}`;
  }

  private url(base: string, path: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams({ ...params, 'user.name': this.opts.user });
    return `${base}${path}?${q.toString()}`;
  }

  private async call(method: 'GET' | 'PUT', path: string, params?: Record<string, string>, body?: unknown): Promise<unknown> {
    const errors: string[] = [];
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      const index = (this.active + attempt) % this.urls.length;
      const base = this.urls[index]!;
      const url = this.url(base, path, params);
      this.opts.onCall?.({ method, url });
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method,
          headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.timeoutMs),
          // A standby ResourceManager redirects to the active one; the next endpoint is asked instead.
          redirect: 'manual',
        });
      } catch (e) {
        errors.push(`${base}: ${cleanLine(networkError(e, this.timeoutMs), 120)}`);
        continue;
      }
      const text = (await readCapped(res, 64 * MiB, `${method} ${path}`)).toString('utf8');
      if (res.status >= 300 && res.status < 400) {
        errors.push(`${base}: standby (redirects)`);
        continue;
      }
      this.active = index;
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        throw new YarnError(
          `ResourceManager ${base}: ${method} ${path}: HTTP ${res.status} with ${cleanLine(text, 80) || 'an empty body'}`,
        );
      }
      if (!res.ok) {
        const remote = (json as { RemoteException?: { message?: string } }).RemoteException?.message;
        throw new YarnError(`ResourceManager ${base}: ${method} ${path}: HTTP ${res.status}: ${cleanLine(remote ?? res.statusText, 200)}`);
      }
      return json;
    }
    throw new UnreachableError(`YARN ResourceManager: none answered (${errors.join('; ')})`);
  }

  /** Applications carrying a tag (YARN keeps tags in lower case), in the given states. */
  async apps(tag: string, states: string[] = LIVE_STATES): Promise<YarnApp[]> {
    const body = (await this.call('GET', '/ws/v1/cluster/apps', { applicationTags: tag.toLowerCase(), states: states.join(',') })) as {
      apps?: { app?: Record<string, unknown>[] } | null;
    };
    const list = body.apps?.app ?? [];
    if (!Array.isArray(list)) throw new YarnError('ResourceManager: apps.app is not a list');
    return list.map((a) => ({
      id: String(a.id ?? ''),
      name: String(a.name ?? ''),
      state: String(a.state ?? ''),
      user: String(a.user ?? ''),
      progress: Number(a.progress ?? 0),
      startedTime: Number(a.startedTime ?? 0),
      tags: String(a.applicationTags ?? '')
        .split(',')
        .filter(Boolean),
    }));
  }

  async state(id: string): Promise<string> {
    const body = (await this.call('GET', `/ws/v1/cluster/apps/${encodeURIComponent(id)}/state`)) as { state?: unknown };
    return String(body.state ?? '');
  }

  /** Kill an application and wait until YARN says it ended; returns its final state. */
  async kill(id: string, waitMs = 60_000): Promise<string> {
    await this.call('PUT', `/ws/v1/cluster/apps/${encodeURIComponent(id)}/state`, {}, { state: 'KILLED' });
    const deadline = Date.now() + waitMs;
    for (;;) {
      const state = await this.state(id);
      if (FINAL_STATES.has(state)) return state;
      if (Date.now() > deadline)
        throw new YarnError(`YARN application ${id} is still ${state} ${waitMs / 1000} s after it was told to stop`);
      await this.sleep(500);
    }
  }

  /** A running MapReduce job's maps and DistCp's bytes, from its ApplicationMaster; undefined when not (yet) known. */
  async jobProgress(id: string): Promise<JobProgress | undefined> {
    const proxy = `/proxy/${encodeURIComponent(id)}/ws/v1/mapreduce/jobs`;
    const body = (await this.call('GET', proxy)) as { jobs?: { job?: Record<string, unknown>[] } | null };
    const job = body.jobs?.job?.[0];
    if (!job) return undefined;
    const out: JobProgress = { mapsTotal: Number(job.mapsTotal ?? 0), mapsCompleted: Number(job.mapsCompleted ?? 0) };
    try {
      const counters = (await this.call('GET', `${proxy}/${encodeURIComponent(String(job.id))}/counters`)) as {
        jobCounters?: { counterGroup?: { counterGroupName?: string; counter?: { name?: string; totalCounterValue?: number }[] }[] };
      };
      for (const g of counters.jobCounters?.counterGroup ?? []) {
        const c = g.counter?.find((x) => x.name === 'BYTESCOPIED');
        if (c) out.bytesCopied = Number(c.totalCounterValue ?? 0);
      }
    } catch {
      /* counters are a nicety: maps alone are progress enough */
    }
    return out;
  }
}
