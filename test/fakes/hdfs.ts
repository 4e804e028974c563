// An in-memory HDFS with the semantics hbackup relies on (hadoop.ts answers WebHDFS for it):
// files and directories, snapshottable directories and their read-only snapshots, snapshot diffs
// (renames included, tracked by inode), content summaries, checksums, owners, permissions, ACLs and
// quotas, and RemoteExceptions as the
// NameNode sends them. For fast tests of the flows; the integration tests use the real thing.
export interface Node {
  id: number;
  type: 'FILE' | 'DIRECTORY';
  children: Map<string, Node>;
  data: Buffer;
  mtime: number;
  snapshottable: boolean;
  snapshots: Map<string, Node>;
  /** Owner, group, permission (octal), ACL entries and quotas, as sync-users reads and sets them. */
  owner?: string;
  group?: string;
  permission?: string;
  acl?: string[];
  xattrs?: Record<string, string>;
  /** In an encryption zone (WebHDFS says encBit). */
  encrypted?: boolean;
  quota?: { names: number; space: number };
}

let ids = 1;
const dir = (mtime: number): Node => ({
  id: ids++,
  type: 'DIRECTORY',
  children: new Map(),
  data: Buffer.alloc(0),
  mtime,
  snapshottable: false,
  snapshots: new Map(),
});
const freeze = (n: Node): Node => ({ ...n, children: new Map([...n.children].map(([k, c]) => [k, freeze(c)])), snapshots: new Map() });

export class Remote extends Error {
  constructor(
    readonly status: number,
    readonly exception: string,
    message: string,
  ) {
    super(message);
  }
}
export const notFound = (p: string) => new Remote(404, 'FileNotFoundException', `File does not exist: ${p}`);
const snapshotError = (m: string) => new Remote(403, 'SnapshotException', m);

export class FakeHdfs {
  readonly root: Node;
  /** Every call that changed something, as `METHOD OP path`, in order. */
  readonly changes: string[] = [];
  /** How many listing pages (LISTSTATUS_BATCH) were asked for. */
  pages = 0;
  /** How many snapshot diffs (GETSNAPSHOTDIFF) were asked for, by snapshot root. */
  diffs = new Map<string, number>();
  /** Set to make the NameNode unreachable. */
  down = false;
  /** How far this NameNode's clock is ahead of the control host's. */
  clockMs = 0;
  /** Answer a call differently (e.g. a refused rename): return an answer, or undefined for the usual one. */
  intercept: ((method: string, op: string, path: string) => { status: number; body: unknown } | undefined) | undefined;

  constructor(
    readonly name: string,
    private readonly now: () => Date,
  ) {
    this.root = dir(now().getTime());
  }

  get base(): string {
    return `http://${this.name}-nn:9870`;
  }

  get fs(): string {
    return `hdfs://${this.name}`;
  }

  // --- paths -------------------------------------------------------------------------------
  private parts(p: string): string[] {
    return p.split('/').filter(Boolean);
  }

  /** The node at a path (inside `.snapshot/<name>` too), or undefined. */
  lookup(p: string): Node | undefined {
    let n: Node | undefined = this.root;
    const parts = this.parts(p);
    for (let i = 0; i < parts.length && n; i++) {
      const part = parts[i]!;
      if (part === '.snapshot' && n.snapshottable) {
        const snap = parts[i + 1];
        if (snap === undefined) return { ...n, children: new Map(n.snapshots), type: 'DIRECTORY' };
        n = n.snapshots.get(snap);
        i++;
      } else n = n.children.get(part);
    }
    return n;
  }

  parentOf(p: string, create = false): { parent: Node; name: string } {
    const parts = this.parts(p);
    if (parts.includes('.snapshot')) throw snapshotError(`Modification on a read-only snapshot is disallowed: ${p}`);
    const name = parts.pop();
    if (!name) throw new Remote(403, 'IOException', 'cannot change /');
    let n = this.root;
    for (const part of parts) {
      let next = n.children.get(part);
      if (!next) {
        if (!create) throw notFound(`/${parts.join('/')}`);
        next = dir(this.now().getTime());
        n.children.set(part, next);
      }
      if (next.type !== 'DIRECTORY') throw new Remote(403, 'ParentNotDirectoryException', `${part} is not a directory`);
      n = next;
    }
    return { parent: n, name };
  }

  // --- what tests use directly -------------------------------------------------------------
  mkdirs(p: string): void {
    let n = this.root;
    for (const part of this.parts(p)) {
      const next = n.children.get(part) ?? dir(this.now().getTime());
      n.children.set(part, next);
      n = next;
    }
  }

  write(p: string, data: string | Buffer): void {
    const { parent, name } = this.parentOf(p, true);
    const existing = parent.children.get(name);
    const bytes = Buffer.from(data);
    if (existing && existing.type === 'FILE') {
      existing.data = bytes;
      existing.mtime = this.now().getTime();
    } else parent.children.set(name, { ...dir(this.now().getTime()), type: 'FILE', data: bytes });
  }

  read(p: string): Buffer | undefined {
    const n = this.lookup(p);
    return n?.type === 'FILE' ? n.data : undefined;
  }

  remove(p: string): boolean {
    const { parent, name } = this.parentOf(p);
    const n = parent.children.get(name);
    if (!n) return false;
    const snapshotted = (x: Node): boolean => x.snapshots.size > 0 || [...x.children.values()].some(snapshotted);
    if (snapshotted(n)) throw snapshotError(`The directory ${p} cannot be deleted since it has snapshots`);
    parent.children.delete(name);
    return true;
  }

  rename(src: string, dst: string): boolean {
    const from = this.parentOf(src);
    const node = from.parent.children.get(from.name);
    if (!node || this.lookup(dst)) return false;
    const to = this.parentOf(dst);
    from.parent.children.delete(from.name);
    to.parent.children.set(to.name, node);
    return true;
  }

  allowSnapshot(p: string): void {
    const n = this.lookup(p);
    if (n?.type !== 'DIRECTORY') throw notFound(p);
    const nested = this.snapshottableDirs().find((s) => s !== p && (s.startsWith(`${p}/`) || p.startsWith(`${s}/`) || s === '/'));
    if (nested)
      throw snapshotError(
        `Nested snapshottable directories not allowed: path=${p}, the ancestor or descendant ${nested} is already a snapshottable directory.`,
      );
    n.snapshottable = true;
  }

  disallowSnapshot(p: string): void {
    const n = this.lookup(p);
    if (n?.type !== 'DIRECTORY') throw notFound(p);
    if (n.snapshots.size)
      throw snapshotError(`The directory ${p} has snapshot(s). Please redo the operation after removing all the snapshots.`);
    n.snapshottable = false;
  }

  createSnapshot(p: string, name: string): void {
    const n = this.lookup(p);
    if (!n) throw notFound(p);
    if (!n.snapshottable) throw snapshotError(`Directory is not a snapshottable directory: ${p}`);
    if (n.snapshots.has(name)) throw snapshotError(`Failed to add snapshot: there is already a snapshot with the same name "${name}".`);
    n.snapshots.set(name, { ...freeze(n), mtime: this.now().getTime() });
  }

  deleteSnapshot(p: string, name: string): void {
    const n = this.lookup(p);
    if (!n) throw notFound(p);
    if (!n.snapshots.delete(name)) throw snapshotError(`Cannot delete snapshot ${name} from path ${p}: the snapshot does not exist.`);
  }

  snapshots(p: string): string[] {
    return [...(this.lookup(p)?.snapshots.keys() ?? [])];
  }

  snapshottableDirs(): string[] {
    const out: string[] = [];
    const walk = (n: Node, p: string) => {
      if (n.snapshottable) out.push(p || '/');
      for (const [k, c] of n.children) if (c.type === 'DIRECTORY') walk(c, `${p}/${k}`);
    };
    walk(this.root, '');
    return out;
  }

  /** Every file and directory below a path (relative), with each file's content. */
  tree(p: string): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    const walk = (n: Node, rel: string) => {
      for (const [k, c] of [...n.children].sort(([a], [b]) => a.localeCompare(b))) {
        const r = rel ? `${rel}/${k}` : k;
        out[r] = c.type === 'FILE' ? c.data.toString('utf8') : null;
        if (c.type === 'DIRECTORY') walk(c, r);
      }
    };
    const n = this.lookup(p);
    if (n) walk(n, '');
    return out;
  }

  /** Changes from snapshot `from` to `to` ("" = now) of a snapshottable directory, as HDFS reports them. */
  diff(p: string, from: string, to: string): { type: string; sourcePath: string; targetPath?: string }[] {
    const n = this.lookup(p);
    if (!n?.snapshottable) throw snapshotError(`Directory is not a snapshottable directory: ${p}`);
    const a = n.snapshots.get(from);
    const b = to ? n.snapshots.get(to) : n;
    if (!a || !b) throw snapshotError(`Cannot find the snapshot of directory ${p} with name ${!a ? from : to}`);
    const index = (root: Node) => {
      const m = new Map<number, { path: string; node: Node; parent: number; name: string }>();
      const walk = (x: Node, rel: string) => {
        for (const [k, c] of x.children) {
          const r = rel ? `${rel}/${k}` : k;
          m.set(c.id, { path: r, node: c, parent: x.id, name: k });
          if (c.type === 'DIRECTORY') walk(c, r);
        }
      };
      walk(root, '');
      return m;
    };
    const [ia, ib] = [index(a), index(b)];
    const out: { type: string; sourcePath: string; targetPath?: string }[] = [];
    const childIds = (x: Node) =>
      [...x.children]
        .map(([k, c]) => `${k}:${c.id}`)
        .sort()
        .join();
    if (childIds(a) !== childIds(b)) out.push({ type: 'MODIFY', sourcePath: '' });
    for (const [id, x] of ia) {
      const y = ib.get(id);
      if (!y) out.push({ type: 'DELETE', sourcePath: x.path });
      else {
        // Only the entry that moved is a rename; what moved with it is not reported.
        if (y.parent !== x.parent || y.name !== x.name) out.push({ type: 'RENAME', sourcePath: x.path, targetPath: y.path });
        if (x.node.type === 'FILE' && !x.node.data.equals(y.node.data)) out.push({ type: 'MODIFY', sourcePath: y.path });
        if (x.node.type === 'DIRECTORY' && childIds(x.node) !== childIds(y.node)) out.push({ type: 'MODIFY', sourcePath: y.path });
      }
    }
    for (const [id, y] of ib) if (!ia.has(id)) out.push({ type: 'CREATE', sourcePath: y.path });
    return out;
  }
}
