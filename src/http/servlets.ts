/**
 * What Hadoop's daemons serve beside their REST APIs: `/jmx` (a bean by its query) and `/conf` (one
 * setting of the running daemon, or all of them). Both answer only when asked with the daemon's web authentication;
 * behind SPNEGO they answer 401, read here as nothing.
 */
import type { FetchLike } from './client.js';

export type Bean = Record<string, unknown>;

/** The first bean a JMX query answers; undefined when the daemon refuses or answers no JSON. A network failure throws. */
export async function jmx(fetchImpl: FetchLike, base: string, query: string, timeoutMs: number): Promise<Bean | undefined> {
  const res = await fetchImpl(`${base.replace(/\/+$/, '')}/jmx?qry=${query}`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const body = (await res.json().catch(() => null)) as { beans?: Bean[] } | null;
  return body?.beans?.[0];
}

/** One setting of the running daemon, as its `/conf` servlet says; undefined when it refuses. A network failure throws. */
export async function confValue(fetchImpl: FetchLike, base: string, key: string, timeoutMs: number): Promise<string | undefined> {
  const res = await fetchImpl(`${base.replace(/\/+$/, '')}/conf?name=${encodeURIComponent(key)}`, {
    headers: { Accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) return undefined;
  return /"value"\s*:\s*"([^"]*)"/.exec(text)?.[1];
}

/**
 * Every setting of the running daemon (its `/conf` as JSON, defaults included); undefined when it
 * refuses or answers no JSON. An HBase master ignores `name=` and always answers the whole of it.
 * A network failure throws.
 */
export async function confSettings(fetchImpl: FetchLike, base: string, timeoutMs: number): Promise<Map<string, string> | undefined> {
  const res = await fetchImpl(`${base.replace(/\/+$/, '')}/conf?format=json`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const body = (await res.json().catch(() => null)) as { properties?: { key?: unknown; value?: unknown }[] } | null;
  if (!body) return undefined;
  const props = (body.properties ?? []).filter((x) => typeof x.key === 'string' && typeof x.value === 'string');
  return new Map(props.map((x) => [x.key as string, x.value as string]));
}
