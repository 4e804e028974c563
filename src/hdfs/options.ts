/**
 * How a WebHDFS client reaches its cluster: its NameNodes, as whom, through which fetch and upload,
 * how long a call may take, and its DataNodes' addresses as this host reaches them.
 */
import type { FetchLike } from '../http/client.js';
import type { DataNodeMap } from './datanode.js';
import type { PutData } from './put-data.js';
import type { HttpCall } from './requests.js';

export interface WebHdfsOptions {
  urls: string[];
  user: string;
  fetch?: FetchLike | undefined;
  putData?: PutData | undefined;
  timeoutMs?: number;
  onCall?: (call: HttpCall) => void;
  /** DataNode addresses as the NameNode names them → as this host reaches them. */
  dataNodes?: DataNodeMap | undefined;
  /** The cluster's name in the clusters file, for messages that say what to set. */
  site?: string | undefined;
  /** A Kerberized cluster: the delegation token calls carry instead of user.name, and how to get a new one. */
  delegation?: { token(): Promise<string>; renew(): Promise<string> } | undefined;
}
