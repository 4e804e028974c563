/**
 * Parse YAML keeping positions, validate with a zod schema, and report every mistake as
 * `file:line:col: path: message` — all of them at once.
 */
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.js';

export interface LocatedDoc {
  file: string;
  doc: Document;
  lines: LineCounter;
}

export type PathKey = string | number;

export function parseYaml(file: string, text: string): { located: LocatedDoc; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    const msg = e.message.split('\n')[0] ?? e.message;
    return { file, line: pos.line, col: pos.col, message: `YAML syntax: ${msg}` };
  });
  return { located: { file, doc, lines }, problems };
}

/** The node at a path, or the nearest existing ancestor (a missing key points at its parent). */
function nodeAt(doc: Document, path: readonly PathKey[]): { node: Node | undefined; missing: boolean } {
  let current: unknown = doc.contents;
  for (const key of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) return { node: current as Node, missing: true };
      current = pair.value ?? pair.key;
    } else if (isSeq(current) && typeof key === 'number') {
      const item = current.items[key];
      if (item === undefined) return { node: current as Node, missing: true };
      current = item;
    } else {
      return { node: current as Node | undefined, missing: true };
    }
  }
  return { node: current as Node | undefined, missing: false };
}

/** The key node of `key` in the map at `path` (for unknown keys). */
function keyNodeAt(doc: Document, path: readonly PathKey[], key: string): Node | undefined {
  const { node } = nodeAt(doc, path);
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

function position(located: LocatedDoc, node: Node | undefined): { line: number; col: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return located.lines.linePos(offset);
}

const formatPath = (path: readonly PathKey[]): string =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

/** A problem at a path of the document: `path: message`, positioned at that node. */
export function problemAt(located: LocatedDoc, path: readonly PathKey[], message: string): ConfigProblem {
  const { node } = nodeAt(located.doc, path);
  const pos = position(located, node);
  const where = formatPath(path);
  return { file: located.file, ...pos, message: where ? `${where}: ${message}` : message };
}

function describeIssue(issue: z.core.$ZodIssue, present: boolean): string {
  switch (issue.code) {
    case 'invalid_type':
      if (!present) return `missing; expected ${issue.expected}`;
      return issue.message.replace(/^Invalid input: /, '');
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // Say why the first form failed, not zod's "Invalid input".
      const first = issue.errors[0]?.[0];
      return first ? describeIssue(first, present) : 'not a form this key takes';
    }
    case 'invalid_key':
      // A record's key: say what the key should be, not zod's "Invalid key in record".
      return issue.issues[0]?.message ?? 'not a valid key here';
    case 'too_small':
      if (!issue.message.startsWith('Too small')) return issue.message; // the schema's own words
      return issue.origin === 'array' ? `list at least ${issue.minimum}` : issue.message;
    default:
      return issue.message;
  }
}

/** How many times aliases may be expanded in one file: a file that needs more is refused, never expanded. */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. Aliases that point nowhere, or expand too often (a "billion laughs"
 * file), are located problems.
 */
function toData(located: LocatedDoc): { data?: unknown; problem?: ConfigProblem } {
  try {
    return { data: located.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {} };
  } catch (e) {
    const message = (e as Error).message;
    const unresolved = /Unresolved alias[^:]*: (.*)$/.exec(message.split('\n')[0]!)?.[1];
    let at: Node | undefined;
    visit(located.doc, {
      Alias(_, node) {
        if (!unresolved || node.source === unresolved) {
          at = node;
          return visit.BREAK;
        }
        return undefined;
      },
    });
    const text = unresolved
      ? `YAML: alias *${unresolved} has no anchor &${unresolved} before it`
      : `YAML: aliases expand more than ${MAX_ALIAS_COUNT} times: write the values out instead of repeating an anchor`;
    return { problem: { file: located.file, ...position(located, at), message: text } };
  }
}

/** Validate the document's data against a schema; located problems, or the parsed value. */
export function validate<S extends z.ZodType>(located: LocatedDoc, schema: S): { value?: z.infer<S>; problems: ConfigProblem[] } {
  const { data, problem } = toData(located);
  if (problem) return { problems: [problem] };
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, problems: [] };
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const node = keyNodeAt(located.doc, path, key);
        const where = formatPath([...path, key]);
        problems.push({
          file: located.file,
          ...position(located, node),
          message: `${where}: unknown key; remove it or check its spelling`,
        });
      }
      continue;
    }
    const { missing } = nodeAt(located.doc, path);
    problems.push(problemAt(located, path, describeIssue(issue, !missing)));
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { problems };
}
