/**
 * The DataNode hop of WebHDFS. Asked with `noredirect=true`, the NameNode answers the Location of a
 * DataNode instead of redirecting, and the data moves there. A DataNode is named by the address it
 * registered with: in containers, a host name this host cannot resolve, or a port mapped to another
 * one. A cluster may therefore map DataNode addresses (`dataNodes: {"dn1:9864": "localhost:19864"}`):
 * only the Location's host and port are rewritten, never its scheme, path or query.
 */
import { cleanLine, UnreachableError, WebHdfsError } from '../errors.js';
import { networkError } from '../http/read.js';

/** DataNode addresses as the NameNode names them (`host:port`) → as this host reaches them. */
export type DataNodeMap = Record<string, string>;

/** The DataNode URL to use for a Location a NameNode answered (an http(s) URL, its authority mapped), and the address it named. */
export function dataNodeUrl(location: unknown, map: DataNodeMap, what: string): { url: string; named: string } {
  if (typeof location !== 'string') throw new WebHdfsError(200, 'not a WebHDFS answer', 'no DataNode Location in the answer', what);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new WebHdfsError(200, 'not a WebHDFS answer', `a DataNode Location that is not a URL: ${cleanLine(location, 80)}`, what);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    throw new WebHdfsError(200, 'not a WebHDFS answer', `a DataNode Location hbackup does not follow: ${cleanLine(location, 80)}`, what);
  }
  const named = url.host;
  const to = map[named];
  if (to) url.host = to;
  return { url: url.toString(), named };
}

/**
 * A DataNode this host cannot reach: the address, why, and the setting that fixes it when the
 * address is one the cluster registered inside a container.
 */
export function unreachableDataNode(named: string, url: string, e: unknown, timeoutMs: number, what: string, site?: string) {
  const used = new URL(url).host;
  const via = named === used ? '' : ` (mapped to ${used})`;
  const where = site ? `clusters.${site}.dataNodes` : "the cluster's dataNodes";
  return new UnreachableError(
    `${what}: the DataNode ${named}${via} that the NameNode named cannot be reached from this host: ${cleanLine(networkError(e, timeoutMs), 120)}; if this host reaches it under another address (a container's name or a mapped port), map it in ${where}, e.g. "${named}": "localhost:${named.split(':').at(-1) ?? 'PORT'}"`,
    { cause: e },
  );
}
