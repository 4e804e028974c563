/**
 * A tool kept running while a flow talks to it line by line (one `hbase shell` for every table
 * of a service): started ahead, it answers at once when the moment comes.
 */
import { execa } from 'execa';
import { causeLine, HbackupError } from '../errors.js';
import { type Command, effectiveArgv, localEnv, type RunResult, stdinPrefix } from './runner.js';

export type Stream = 'stdout' | 'stderr';

export interface Session {
  /** Send text to the program's standard input. */
  write(text: string): void;
  /** The next line of its standard output (or error), after the last one matched there, that matches `re`. */
  waitFor(re: RegExp, timeoutMs: number, stream?: Stream): Promise<string>;
  /** Every whole line it has written to the stream so far. */
  lines(stream: Stream): readonly string[];
  /** Close its standard input and wait for it to end. */
  end(): Promise<RunResult>;
  /** Stop it now. */
  kill(): void;
  /** Let hbackup end while it idles (its standard input then closes, and it ends too). */
  unref(): void;
}

export type Spawner = (cmd: Command) => Session;

export const execaSpawner: Spawner = (cmd) => {
  const [file, ...args] = effectiveArgv(cmd);
  if (!file) throw new Error('empty command');
  const child = execa(file, args, { env: localEnv(cmd), reject: false, buffer: true, stdin: 'pipe' });
  // A program that ended leaves its input closed: what is written after is lost, not thrown.
  child.stdin?.on('error', () => {});
  const prefix = stdinPrefix(cmd);
  if (prefix) child.stdin?.write(prefix);
  const lines: Record<Stream, string[]> = { stdout: [], stderr: [] };
  const pending: Record<Stream, string> = { stdout: '', stderr: '' };
  const seen: Record<Stream, number> = { stdout: 0, stderr: 0 };
  let ended: RunResult | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk: Buffer) => {
      const parts = (pending[stream] + chunk.toString('utf8')).split('\n');
      pending[stream] = parts.pop() ?? '';
      lines[stream].push(...parts);
      wake();
    });
  }
  const done = child.then((r) => {
    ended = { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), signal: r.signal ?? undefined };
    wake();
    return ended;
  });
  return {
    write: (text) => {
      child.stdin?.write(text);
    },
    waitFor: (re, timeoutMs, stream = 'stdout') =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const all = lines[stream];
          for (; seen[stream] < all.length; seen[stream]++) {
            if (re.test(all[seen[stream]]!)) {
              finish();
              resolve(all[seen[stream]++]!);
              return;
            }
          }
          if (ended) {
            finish();
            reject(new HbackupError(`${cmd.argv.slice(0, 2).join(' ')} ended before it answered${causeLine(ended.stderr, ': ')}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new HbackupError(`${cmd.argv.slice(0, 2).join(' ')} did not answer within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    lines: (stream) => lines[stream],
    end: () => {
      child.stdin?.end();
      return done;
    },
    kill: () => {
      child.kill('SIGKILL');
    },
    unref: () => {
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();
    },
  };
};
