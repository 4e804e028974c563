/**
 * Hive through the cluster's own Beeline: one session per batch of statements (the JVM and the
 * connection cost seconds), each answer told apart by a marker row selected before it. The
 * statements go as Beeline's `-e` argument: so given, Beeline stops at the first statement that
 * fails and exits 1 (read from its standard input, it goes on past a failure and exits 0). One
 * argument may hold at most 128 KiB on Linux: a longer batch is run as several sessions in order.
 */

import { causeLine, cleanLine, HbackupError } from '../errors.js';
import type { Command, Runner } from '../exec/runner.js';

type Row = string[];

/** Beeline's arguments for a batch: the JDBC URL (a Kerberized one names the server's principal), tsv2 rows, no header. */
export const beelineArgs = (jdbcUrl: string, user?: string): string[] => [
  '-u',
  jdbcUrl,
  ...(user ? ['-n', user] : []),
  '--silent=true',
  '--showHeader=false',
  '--outputformat=tsv2',
];

/** What one `-e` argument holds at most (Linux's limit for one argument is 128 KiB). */
const MAX_SCRIPT = 100_000;

const marker = (i: number) => `hbackup:answer:${i}`;

/** The script Beeline reads: before each statement, a row that marks where its answer starts. */
export const script = (statements: string[]): string => statements.map((s, i) => `SELECT '${marker(i)}';\n${s};\n`).join('');

/** The rows of each statement's answer, from Beeline's standard output. */
export function answers(stdout: string, count: number): Row[][] {
  const out: Row[][] = Array.from({ length: count }, () => []);
  let at = -1;
  for (const line of stdout.split('\n')) {
    const m = /^hbackup:answer:(\d+)$/.exec(line);
    if (m) at = Number(m[1]);
    else if (at >= 0 && at < count && line !== '') out[at]!.push(line.split('\t'));
  }
  return out;
}

export interface Hive {
  /** Run statements in order in one session; each one's rows. */
  run(statements: string[]): Promise<Row[][]>;
}

/** Statements in batches whose scripts stay under MAX_SCRIPT characters. */
function batches(statements: string[]): string[][] {
  const out: string[][] = [[]];
  let size = 0;
  for (const st of statements) {
    const n = script([st]).length;
    if (size + n > MAX_SCRIPT && out.at(-1)!.length) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(st);
    size += n;
  }
  return out;
}

/** A Hive reached by `command` (the site's beeline with beelineArgs), run by `runner`. */
export function beelineHive(site: string, command: Command, runner: Runner, timeoutMs = 600_000): Hive {
  const session = async (statements: string[]): Promise<Row[][]> => {
    const r = await runner({ ...command, argv: [...command.argv, '-e', script(statements)] }, { timeoutMs });
    if (r.exitCode !== 0) {
      // The last marker Beeline answered is the one before the statement that failed.
      const seen = [...r.stdout.matchAll(/^hbackup:answer:(\d+)$/gm)].map((m) => Number(m[1]));
      const failed = statements[seen.length ? Math.max(...seen) : 0];
      const which = failed ? ` (at: ${cleanLine(failed, 160)})` : '';
      const why = r.stderr
        .split('\n')
        .filter((l) => /^Error: /.test(l))
        .join('\n');
      throw new HbackupError(`Hive on ${site} refused a statement${causeLine(why || r.stderr, ': ')}${which}`);
    }
    return answers(r.stdout, statements.length);
  };
  return {
    async run(statements) {
      const out: Row[][] = [];
      for (const batch of statements.length ? batches(statements) : []) out.push(...(await session(batch)));
      return out;
    },
  };
}
