/**
 * What every command receives: its output, and the I/O it may use (process runner, fetch, clock),
 * so tests can run commands in-process.
 */
import type { Runner } from '../exec/runner.js';
import type { FetchLike } from '../hdfs/webhdfs.js';
import type { Output } from '../output.js';

export interface CommandEnv {
  out: Output;
  runner: Runner;
  fetch?: FetchLike;
  now: () => Date;
}
