/**
 * WebHDFS as data: the operations that change something, as requests a plan can hold, print and
 * send; and the shapes of what a NameNode answers.
 */

export interface HttpCall {
  method: WebHdfsRequest['method'];
  url: string;
}

/** One WebHDFS operation, as data. */
export interface WebHdfsRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  op: string;
  params?: Record<string, string | number | boolean>;
}

/** The operations that change something. */
export const ops = {
  mkdirs: (path: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'MKDIRS' }),
  rename: (path: string, destination: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'RENAME', params: { destination } }),
  delete: (path: string, recursive = false): WebHdfsRequest => ({ method: 'DELETE', path, op: 'DELETE', params: { recursive } }),
  /** The NameNode half of a file write: it names the DataNode that takes the bytes. */
  create: (path: string, overwrite: boolean): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'CREATE',
    params: { overwrite, noredirect: true },
  }),
  allowSnapshot: (path: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'ALLOWSNAPSHOT' }),
  createSnapshot: (path: string, name: string): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'CREATESNAPSHOT',
    params: { snapshotname: name },
  }),
  deleteSnapshot: (path: string, name: string): WebHdfsRequest => ({
    method: 'DELETE',
    path,
    op: 'DELETESNAPSHOT',
    params: { snapshotname: name },
  }),
};

export interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  owner: string;
  group: string;
  permission: string;
  modificationTime: number;
  snapshotEnabled?: boolean;
  aclBit?: boolean;
}

export interface ContentSummary {
  directoryCount: number;
  fileCount: number;
  length: number;
}

export interface FileChecksum {
  algorithm: string;
  bytes: string;
  length: number;
}

export interface AclStatus {
  owner: string;
  group: string;
  permission: string;
  entries: string[];
  stickyBit: boolean;
}

export type DiffType = 'CREATE' | 'MODIFY' | 'DELETE' | 'RENAME';
export interface DiffEntry {
  type: DiffType;
  sourcePath: string;
  targetPath?: string;
}
