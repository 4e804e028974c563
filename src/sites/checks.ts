/**
 * Read-only checks of a site any flow makes before it changes anything: does it answer, is its
 * clock close to ours, can its tools be run from here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NamedCluster } from '../config/load.js';
import type { Site, ToolName } from './site.js';

/**
 * How far a server's clock is from ours at least, from its HTTP Date header (whole seconds, so the
 * server's time lies in [date, date + 1 s)) and our clock before and after the request.
 */
export function clockSkewMs(before: number, after: number, serverDate: number): number {
  const local = (before + after) / 2;
  const halfTrip = (after - before) / 2;
  return Math.max(0, Math.abs(serverDate + 500 - local) - 500 - halfTrip);
}

/** One timed WebHDFS call: how long it took, and the site's clock against this host's (from its HTTP Date). */
export interface Clock {
  latencyMs: number;
  /** How far the site's clock is from this host's, at least; absent when it sent no usable Date. */
  skewMs?: number;
  /** The site's clock minus this host's (signed, to the second): sites compare with each other through it. */
  offsetMs?: number;
}

/** Ask a site for its root and time the answer; throws when it does not answer. */
export async function clockOf(site: Site, now: () => Date): Promise<Clock> {
  const before = now().getTime();
  await site.hdfs.getFileStatus('/');
  const after = now().getTime();
  const server = site.hdfs.lastServerDate?.getTime();
  if (server === undefined || Number.isNaN(server)) return { latencyMs: after - before };
  return {
    latencyMs: after - before,
    skewMs: clockSkewMs(before, after, server),
    offsetMs: Math.round(server + 500 - (before + after) / 2),
  };
}

/** Reach a site and measure its clock skew; a problem (said with its fix) is added to `reasons`. */
export async function reach(
  site: Site,
  role: string,
  now: () => Date,
  maxSkewMs: number,
  reasons: string[],
  warn: (text: string) => void = () => undefined,
): Promise<number | undefined> {
  let clock: Clock;
  try {
    clock = await clockOf(site, now);
  } catch (e) {
    reasons.push(`${site.name} (${role}) is not reachable: ${(e as Error).message}`);
    return undefined;
  }
  const skew = clock.skewMs;
  if (skew === undefined) {
    warn(`${site.name} sent no usable Date header: its clock could not be compared with this host's`);
    return undefined;
  }
  if (skew > maxSkewMs) {
    reasons.push(
      `clock skew between this host and ${site.name} is ${(skew / 1000).toFixed(1)}s (limit ${maxSkewMs / 1000}s): fix NTP on both`,
    );
  }
  return skew;
}

/**
 * A local tool that cannot be run, said so; tools behind ssh are checked when they run, and behind a
 * prefix (in a container) so is the tool itself, while the prefix's own program must be here.
 */
export function missingTool(cluster: NamedCluster, tool: ToolName, env = process.env): string | undefined {
  if (cluster.tools.ssh) return undefined;
  const prefix = cluster.tools.prefix?.[0];
  if (prefix) {
    if (runnable(prefix, env.PATH ?? '')) return undefined;
    return `${cluster.name}'s tools.prefix program (${prefix}) cannot be run from this host: install it or give its path`;
  }
  const file = cluster.tools[tool];
  if (runnable(file, cluster.tools.env.PATH ?? env.PATH ?? '')) return undefined;
  return `${cluster.name}'s ${tool} (${file}) cannot be run from this host: set clusters.${cluster.name}.tools.${tool} to its path, or tools.ssh to run it on an edge node`;
}

/** Is a program (a path, or a name looked up in a search path) there to be executed? */
function runnable(file: string, searchPath: string): boolean {
  const candidates = file.includes('/')
    ? [file]
    : searchPath
        .split(':')
        .filter(Boolean)
        .map((d) => path.join(d, file));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      /* try the next one */
    }
  }
  return false;
}
