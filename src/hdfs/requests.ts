/**
 * WebHDFS as data: the operations that change something, as requests a plan can hold, print and
 * send; and the shapes of what a NameNode answers.
 */

export interface HttpCall {
  method: WebHdfsRequest['method'];
  url: string;
  /** The data hop of a call, to the DataNode the NameNode named. */
  dataNode?: boolean;
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
  /** A file written with the block size its source has (checksums compare only across equal block sizes). */
  createLike: (path: string, blocksize: number): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'CREATE',
    params: { overwrite: true, blocksize, noredirect: true },
  }),
  setTimes: (path: string, modificationtime: number, accesstime: number): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETTIMES',
    params: { modificationtime, accesstime },
  }),
  /** An extended attribute, its value as GETXATTRS answered it (encoding=text: quoted text, or 0x/0s forms). */
  setXAttr: (path: string, xattr: { name: string; value: string; create: boolean }): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETXATTR',
    params: { 'xattr.name': xattr.name, 'xattr.value': xattr.value, flag: xattr.create ? 'CREATE' : 'REPLACE' },
  }),
  removeXAttr: (path: string, name: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'REMOVEXATTR', params: { 'xattr.name': name } }),
  allowSnapshot: (path: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'ALLOWSNAPSHOT' }),
  disallowSnapshot: (path: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'DISALLOWSNAPSHOT' }),
  createSnapshot: (path: string, name: string): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'CREATESNAPSHOT',
    params: { snapshotname: name },
  }),
  setOwner: (path: string, owner: string, group: string): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETOWNER',
    params: { owner, group },
  }),
  setPermission: (path: string, permission: string): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETPERMISSION',
    params: { permission },
  }),
  /** Replace the whole ACL (base entries included) with `aclspec`. */
  setAcl: (path: string, aclspec: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'SETACL', params: { aclspec } }),
  removeAcl: (path: string): WebHdfsRequest => ({ method: 'PUT', path, op: 'REMOVEACL' }),
  /** Name and space quotas; -1 clears one. */
  setQuota: (path: string, namespacequota: number, storagespacequota: number): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETQUOTA',
    params: { namespacequota, storagespacequota },
  }),
  setQuotaByStorageType: (path: string, storagetype: string, storagespacequota: number): WebHdfsRequest => ({
    method: 'PUT',
    path,
    op: 'SETQUOTABYSTORAGETYPE',
    params: { storagetype, storagespacequota },
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
  accessTime?: number;
  blockSize?: number;
  replication?: number;
  /** In an encryption zone; erasure-coded (the NameNode sets these only when true). */
  encBit?: boolean;
  ecBit?: boolean;
  ecPolicy?: string;
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

/** A directory's quotas (-1: none) and what it uses. */
export interface QuotaUsage {
  quota: number;
  spaceQuota: number;
  typeQuota?: Record<string, { quota: number; consumed?: number }>;
}

export type DiffType = 'CREATE' | 'MODIFY' | 'DELETE' | 'RENAME';
export interface DiffEntry {
  type: DiffType;
  sourcePath: string;
  targetPath?: string;
}
