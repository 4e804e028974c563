/**
 * A tool kept running while a flow talks to it line by line (one `hbase shell` for every table
 * of a service): started ahead, it answers at once when the moment comes.
 */
import { execa } from 'execa';
import { causeLine, HbackupError } from '../errors.js';
import { type Command, effectiveArgv, localEnv, type RunResult, stdinPrefix } from './runner.js';

export interface Session {
  /** Send text to the program's standard input. */
  write(text: string): void;
  /** The next line of its standard output (after the last one matched) that matches `re`. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  /** Close its standard input and wait for it to end. */
  end(): Promise<RunResult>;
  /** Stop it now. */
  kill(): void;
}

export type Spawner = (cmd: Command) => Session;

export const execaSpawner: Spawner = (cmd) => {
  const [file, ...args] = effectiveArgv(cmd);
  if (!file) throw new Error('empty command');
  const child = execa(file, args, { env: localEnv(cmd), reject: false, buffer: true, stdin: 'pipe' });
  const prefix = stdinPrefix(cmd);
  if (prefix) child.stdin?.write(prefix);
  const lines: string[] = [];
  let pending = '';
  let seen = 0;
  let ended: RunResult | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
    wake();
  });
  const done = child.then((r) => {
    ended = { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), signal: r.signal ?? undefined };
    wake();
    return ended;
  });
  return {
    write: (text) => {
      child.stdin?.write(text);
    },
    waitFor: (re, timeoutMs) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          for (; seen < lines.length; seen++) {
            if (re.test(lines[seen]!)) {
              finish();
              resolve(lines[seen++]!);
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
    end: () => {
      child.stdin?.end();
      return done;
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};
