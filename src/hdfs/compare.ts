/**
 * Two directory trees side by side, streamed: both are walked in HDFS's order (depth first, names
 * by their bytes), so one pass pairs each path with its counterpart, or with nothing where one side
 * lacks it. Memory stays flat in the number of files: nothing of either tree is held as a whole.
 */
import type { FileStatus } from './requests.js';
import type { WebHdfs } from './webhdfs.js';

export interface Pair {
  rel: string;
  left?: FileStatus;
  right?: FileStatus;
}

/** The order both walks yield paths in: component by component, each by its UTF-8 bytes, a parent first. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = Buffer.compare(Buffer.from(x[i]!), Buffer.from(y[i]!));
    if (c) return c;
  }
  return x.length - y.length;
}

/** Every path of either tree once, with what each side holds there. */
export async function* pairTrees(left: WebHdfs, leftDir: string, right: WebHdfs, rightDir: string): AsyncGenerator<Pair> {
  const a = left.walk(leftDir);
  const b = right.walk(rightDir);
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : comparePaths(x.value.rel, y.value.rel);
    if (order < 0 && !x.done) {
      yield { rel: x.value.rel, left: x.value.status };
      x = await a.next();
    } else if (order > 0 && !y.done) {
      yield { rel: y.value.rel, right: y.value.status };
      y = await b.next();
    } else if (!x.done && !y.done) {
      yield { rel: x.value.rel, left: x.value.status, right: y.value.status };
      [x, y] = await Promise.all([a.next(), b.next()]);
    }
  }
}

/** How two entries at one path differ, in words; undefined when they are alike (type and size). */
export function difference(p: Pair, leftName: string, rightName: string): string | undefined {
  if (!p.right) return `${p.rel}: on the ${leftName} only`;
  if (!p.left) return `${p.rel}: on the ${rightName} only`;
  if (p.left.type !== p.right.type || p.left.length !== p.right.length) {
    return `${p.rel}: ${p.left.type} of ${p.left.length} bytes on the ${leftName}, ${p.right.type} of ${p.right.length} on the ${rightName}`;
  }
  return undefined;
}
