/**
 * What every command receives: its output, and the I/O it may use (process runner, fetch, the
 * DataNode upload, clock, state directory), so tests can run commands in-process against fakes.
 */
import { createInterface } from 'node:readline/promises';
import type { FlowIo } from '../core/context.js';
import { Progress } from '../core/events.js';
import type { Runner } from '../exec/runner.js';
import type { Spawner } from '../exec/session.js';
import type { PutData } from '../hdfs/put-data.js';
import type { FetchLike } from '../http/client.js';
import type { Output } from '../output.js';
import type { SiteIo } from '../sites/site.js';

export interface CommandEnv {
  out: Output;
  runner: Runner;
  spawn: Spawner;
  fetch?: FetchLike | undefined;
  putData?: PutData | undefined;
  now: () => Date;
  stateDir: string;
  /** Where prompts ask and read (tests script the answers); by default the terminal, if any. */
  prompt?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } | undefined;
  /** Asks a person before live data is replaced (tests answer for them); by default the terminal, if any. */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
}

/** The I/O a flow gets from a command, with its progress drawn by the command's output. */
export const flowIo = (env: CommandEnv): FlowIo => ({
  runner: env.runner,
  spawn: env.spawn,
  fetch: env.fetch,
  putData: env.putData,
  now: env.now,
  stateDir: env.stateDir,
  progress: new Progress(env.out.handle),
});

/** How a command's sites reach their clusters, every call logged under --verbose. */
export const siteIo = (env: CommandEnv): SiteIo => ({
  runner: env.runner,
  spawn: env.spawn,
  fetch: env.fetch,
  putData: env.putData,
  debug: (text) => env.out.handle({ type: 'note', level: 'debug', text }),
});

/** Ask on the terminal; undefined when there is none (cron, CI): then only --yes may replace live data. */
export function terminalConfirm(): ((q: string) => Promise<boolean>) | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
}
