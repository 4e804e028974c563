/**
 * Hive through the cluster's own Beeline, one session kept running per site and run: its JVM and
 * connection cost seconds, a statement a tenth of one. Statements go to its standard input, each
 * after a marker Beeline prints itself (`!sh echo`, no round trip to the server) that tells the
 * answers apart. A batch ends with a marker and a statement the server refuses by name: once its
 * echo or its error is on standard error, all the batch wrote there has been read, and a refused
 * statement is named by the marker before its error.
 *
 * Read from its standard input, Beeline goes on past a refused statement: reads go as one batch,
 * and each statement that changes something as a batch of its own, so that nothing runs after one
 * that was refused. The session closes after a minute unused and never keeps hbackup from ending.
 */

import { causeLine, cleanLine, HbackupError, KerberosError, UnreachableError } from '../errors.js';
import type { Command } from '../exec/runner.js';
import type { Session, Spawner } from '../exec/session.js';

type Row = string[];

/** Beeline's arguments for a session: the JDBC URL (a Kerberized one names the server's principal), tsv2 rows, no header. */
export const beelineArgs = (jdbcUrl: string, user?: string): string[] => [
  '-u',
  jdbcUrl,
  ...(user ? ['-n', user] : []),
  '--silent=true',
  '--showHeader=false',
  '--outputformat=tsv2',
];

const ANSWER = /^hbackup:answer:(\d+)$/;
/** Statements that only read: they may run together, past one refused. */
const READ = /^\s*(SHOW|DESCRIBE|DESC|SELECT)\b/i;

/** What Beeline reads for a batch: a marker before each statement, an end marker, the statement refused by name. */
export const script = (statements: string[], batch: number): string =>
  `${statements.map((s, i) => `!sh echo hbackup:answer:${i}\n${s};\n`).join('')}!sh echo hbackup:done:${batch}\nSELECT hbackup_sync_${batch};\n`;

/** The rows of each statement's answer, from the lines Beeline printed for a batch. */
export function answers(lines: readonly string[], count: number): Row[][] {
  const out: Row[][] = Array.from({ length: count }, () => []);
  let at = -1;
  for (const line of lines) {
    const m = ANSWER.exec(line);
    if (m) at = Number(m[1]);
    else if (/^hbackup:done:\d+$/.test(line)) break;
    else if (at >= 0 && at < count && line !== '') out[at]!.push(line.split('\t'));
  }
  return out;
}

/** The first error Beeline printed for a batch, and the statement it followed (by the echo of its marker). */
export function refusal(errors: readonly string[]): { why: string; at?: number } | undefined {
  let at: number | undefined;
  for (const line of errors) {
    const m = /hbackup:answer:(\d+)\s*$/.exec(line);
    if (m) at = Number(m[1]);
    if (/^Error: /.test(line) && !/hbackup_sync_\d+/.test(line)) return at === undefined ? { why: line } : { why: line, at };
  }
  return undefined;
}

export interface Hive {
  /** Run statements in order (reads together, each change alone); each one's rows. Stops at the first refused. */
  run(statements: string[]): Promise<Row[][]>;
}

export interface HiveOptions {
  /** How long a batch may take. */
  timeoutMs?: number;
  /** How long the session stays open unused. */
  idleMs?: number;
  /** The cluster is Kerberized: a refused login is said as such. */
  kerberized?: boolean;
}

/** What Beeline says when HiveServer2 refused its Kerberos login, or it had none to offer. */
const KERBEROS_REFUSED = /GSS initiate failed|KerberosAuthException|Unable to get current login user|LoginException|No valid credentials/;

/** Consecutive reads in one group, each change in a group of its own. */
function groups(statements: string[]): string[][] {
  const out: string[][] = [];
  for (const s of statements) {
    const last = out.at(-1);
    if (last && READ.test(s) && READ.test(last[0]!)) last.push(s);
    else out.push([s]);
  }
  return out;
}

/** A Hive reached by `command` (the site's beeline with beelineArgs), one session at a time, started by `spawn`. */
export function beelineHive(site: string, command: Command, spawn: Spawner, opts: HiveOptions = {}): Hive {
  const { timeoutMs = 600_000, idleMs = 60_000, kerberized = false } = opts;
  let open: Promise<Session> | undefined;
  let batches = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const start = async (): Promise<Session> => {
    await command.ready?.();
    const s = spawn(command);
    s.unref();
    return s;
  };
  const close = () => {
    const was = open;
    open = undefined;
    void was?.then((s) => s.end()).catch(() => {});
  };

  const batch = async (statements: string[]): Promise<Row[][]> => {
    open ??= start();
    const session = await open;
    const k = ++batches;
    const [out0, err0] = [session.lines('stdout').length, session.lines('stderr').length];
    session.write(script(statements, k));
    try {
      await session.waitFor(new RegExp(`^hbackup:done:${k}$`), timeoutMs);
      await session.waitFor(new RegExp(`hbackup_sync_${k}\\b`), timeoutMs, 'stderr');
    } catch (e) {
      open = undefined;
      session.kill();
      // A Beeline that could not connect has said why before anything was sent.
      const said = (refusal(session.lines('stderr').slice(err0)) ?? refusal(session.lines('stderr')))?.why;
      if (kerberized && said && KERBEROS_REFUSED.test(said))
        throw new KerberosError(
          `Hive on ${site} refused hbackup's Kerberos login${causeLine(said, ': ')}; check hive.jdbcUrl's principal= (HiveServer2's, e.g. hive/_HOST@REALM) and kerberos.principal and keytab (klist -kt), or renew the ticket (kinit)`,
        );
      throw new UnreachableError(`Hive on ${site} does not answer${causeLine(said ?? (e as Error).message, ': ')}`);
    }
    const refused = refusal(session.lines('stderr').slice(err0));
    if (refused) {
      const failed = refused.at === undefined ? undefined : statements[refused.at];
      const which = failed ? ` (at: ${cleanLine(failed, 160)})` : '';
      throw new HbackupError(`Hive on ${site} refused a statement${causeLine(refused.why, ': ')}${which}`);
    }
    return answers(session.lines('stdout').slice(out0), statements.length);
  };

  return {
    run(statements) {
      const work = queue.then(async () => {
        clearTimeout(idle);
        try {
          const out: Row[][] = [];
          for (const group of groups(statements)) out.push(...(await batch(group)));
          return out;
        } finally {
          idle = setTimeout(close, idleMs);
          idle.unref?.();
        }
      });
      queue = work.catch(() => {});
      return work;
    },
  };
}
