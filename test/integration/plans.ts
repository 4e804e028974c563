// What the integration tests of plans and crashes share: what a run sent (observed under --verbose),
// the plan it is held against, and a run killed with -9 at a point of its output.
import { spawn } from 'node:child_process';
import { hbackupBin, hbackupEnv } from './helpers.js';

/** One change as a plan or a report shows it. */
export interface Shown {
  step: string;
  site: string;
  change: string;
}

/** A line with what differs from run to run made alike: moments, and the pid in a name written aside. */
export const alike = (l: string) =>
  l.replace(/\d{8}T\d{6}Z/gi, 'STAMP').replace(/(_tmp\.(?:claim\.\d+|\d+\.\w+)\.[^.?/]+)\.\d+\.json/g, '$1.PID.json');

/** What a run sent that changes something (`--verbose`: calls, and commands as `run:`; reads are `read:`), made alike. */
export const sent = (stderr: string) =>
  stderr
    .split('\n')
    .map((l) => l.replace(/^\S+ /, ''))
    .filter((l) => /^(PUT|POST|DELETE) /.test(l) || l.startsWith('run: '))
    .map((l) => alike(l.replace(/^run: /, '')));

/** The plan with each step planned when it runs replaced by what the run listed there, made alike. */
export const expected = (planned: Shown[], made: Shown[]) =>
  planned
    .flatMap((p) => {
      if (!p.change.startsWith('(planned when it runs')) return [p.change];
      const known = new Set(planned.filter((q) => q.step === p.step).map((q) => q.change));
      return made.filter((m) => m.step === p.step && !known.has(m.change)).map((m) => m.change);
    })
    .map(alike);

/**
 * Start hbackup (`--verbose`) and kill -9 its whole process group, DistCp included, once its output
 * matches `at` (then after `delayMs`); or let it end by itself first. What it printed, and which.
 */
export function killAt(args: string[], at: RegExp, delayMs = 0): Promise<{ killed: boolean; seen: string }> {
  const child = spawn('node', [hbackupBin, '--verbose', ...args], {
    detached: true,
    env: { ...process.env, ...hbackupEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let seen = '';
  let armed = false;
  return new Promise((resolve) => {
    child.on('exit', () => resolve({ killed: false, seen }));
    child.stderr!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (armed || !at.test(seen)) return;
      armed = true;
      setTimeout(() => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve({ killed: true, seen }));
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // It ended by itself meanwhile: nothing to kill.
        }
      }, delayMs);
    });
  });
}
