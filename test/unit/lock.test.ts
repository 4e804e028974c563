import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { LockedError } from '../../src/errors.js';
import { acquireLock, stateDir } from '../../src/lock/lock.js';
import { tmp } from './helpers.js';

describe('the per-service lock', () => {
  it('lets one holder in and tells the next who holds it', () => {
    const dir = tmp('lock');
    const lock = acquireLock('orders', 'backup', dir);
    const e = (() => {
      try {
        acquireLock('orders', 'backup', dir);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(LockedError);
    expect((e as LockedError).exitCode).toBe(75);
    expect((e as Error).message).toMatch(new RegExp(`already being worked on by pid ${process.pid} on ${os.hostname()}`));
    acquireLock('billing', 'backup', dir).release();
    lock.release();
    acquireLock('orders', 'backup', dir).release();
  });

  it('takes over a lock whose process no longer exists', () => {
    const dir = tmp('lock');
    fs.mkdirSync(`${dir}/locks`);
    const dead = { pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: '2026-11-25T02:00:00Z', command: 'backup' };
    fs.writeFileSync(`${dir}/locks/orders.lock`, JSON.stringify(dead));
    const lock = acquireLock('orders', 'backup', dir);
    expect(lock.takenOver).toEqual(dead);
    lock.release();
    expect(fs.existsSync(`${dir}/locks/orders.lock`)).toBe(false);
  });
});

describe('locks a crash left empty, and an empty state directory', () => {
  it('takes over an empty lock file older than a minute, and waits on a fresh one', () => {
    const dir = tmp('lock');
    fs.mkdirSync(`${dir}/locks`);
    fs.writeFileSync(`${dir}/locks/orders.lock`, '');
    expect(() => acquireLock('orders', 'backup', dir)).toThrow(LockedError);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(`${dir}/locks/orders.lock`, old, old);
    const lock = acquireLock('orders', 'backup', dir);
    expect(lock.takenOver).toMatchObject({ pid: 0, command: '(an empty lock file)' });
    lock.release();
  });

  it('takes HBACKUP_STATE_DIR set but empty as not set', () => {
    expect(stateDir({ HBACKUP_STATE_DIR: '' })).toBe(stateDir({}));
    expect(stateDir({ HBACKUP_STATE_DIR: '' })).toMatch(/\.local\/state\/hbackup$/);
  });
});

describe('the lock where it cannot be written', () => {
  it('says which directory and how to choose another', () => {
    const file = `${tmp('lock')}/not-a-dir`;
    fs.writeFileSync(file, '');
    expect(() => acquireLock('orders', 'backup', file)).toThrow(
      new RegExp(`cannot create the lock directory ${file}/locks \\(ENOTDIR\\); set HBACKUP_STATE_DIR to a writable directory`),
    );
  });
});
