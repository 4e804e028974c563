/**
 * One run per service at a time on this control host: an exclusive lock file holding the owner's
 * pid. A lock left by a process that no longer exists (a crash, kill -9) is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HbackupError, LockedError } from '../errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface Lock {
  file: string;
  takenOver?: LockInfo;
  release(): void;
}

export function stateDir(env = process.env): string {
  // Set but empty counts as not set: never a relative ./locks in whatever directory cron starts in.
  return path.resolve(env.HBACKUP_STATE_DIR || path.join(os.homedir(), '.local', 'state', 'hbackup'));
}

/** Does a process of this host still run? (One that runs as another user counts: it is there.) */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function readInfo(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

const mtimeMs = (file: string) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
};

/** Who holds a service's lock on this host now, if a live process does (a run under way). */
export function lockHolder(service: string, dir = stateDir()): LockInfo | undefined {
  const owner = readInfo(path.join(dir, 'locks', `${service}.lock`));
  return owner && owner.host === os.hostname() && alive(owner.pid) ? owner : undefined;
}

export function acquireLock(service: string, command: string, dir = stateDir()): Lock {
  const lockDir = path.join(dir, 'locks');
  try {
    fs.mkdirSync(lockDir, { recursive: true });
  } catch (e) {
    throw new HbackupError(
      `cannot create the lock directory ${lockDir} (${(e as NodeJS.ErrnoException).code}); set HBACKUP_STATE_DIR to a writable directory`,
    );
  }
  const file = path.join(lockDir, `${service}.lock`);
  const me: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), command };
  let takenOver: LockInfo | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      return {
        file,
        takenOver,
        release: () => {
          if (readInfo(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new HbackupError(`cannot create the lock ${file} (${code}); set HBACKUP_STATE_DIR to a writable directory`);
      }
      const owner = readInfo(file);
      if (owner && owner.host === me.host && !alive(owner.pid)) {
        takenOver = owner;
        fs.rmSync(file, { force: true });
        continue;
      }
      // A lock nobody can read, written more than a minute ago: its owner died between creating and writing it.
      if (!owner && Date.now() - mtimeMs(file) > 60_000) {
        takenOver = { pid: 0, host: me.host, startedAt: new Date(mtimeMs(file)).toISOString(), command: '(an empty lock file)' };
        fs.rmSync(file, { force: true });
        continue;
      }
      const who = owner ? `pid ${owner.pid} on ${owner.host} since ${owner.startedAt}` : 'another process';
      throw new LockedError(`service ${service} is already being worked on by ${who}; wait for it to finish (lock: ${file})`);
    }
  }
  throw new LockedError(`service ${service}: could not take the lock ${file}`);
}
