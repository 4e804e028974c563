// run-due --watch's loop against the in-memory clusters and a clock of its own: each service runs
// as soon as its schedule allows, never twice at once; a failing one backs off, doubling; a policy
// edited while it runs takes effect; stopping waits for the runs under way.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ResolvedPolicy } from '../../src/config/load.js';
import { Progress } from '../../src/core/events.js';
import { type WatchRun, watch } from '../../src/flows/schedule/watch.js';
import { world } from '../fakes/world.js';

describe('run-due --watch', () => {
  it('runs each service as its schedule allows, one run per service, backing off after failures, reloading policies', async () => {
    const w = world();
    const dir = path.join(w.dir, 'policies');
    fs.mkdirSync(dir);
    const write = (name: string, p: Record<string, unknown>) =>
      fs.writeFileSync(path.join(dir, `${name}.yaml`), stringify({ clusters: w.clustersFile, datasets: [{ hdfs: `/${name}` }], ...p }));
    write('fast', { service: 'fast', schedule: 'every 30s' });
    write('flaky', { service: 'flaky', schedule: 'every 30s' });
    const start = w.now().getTime();
    const runs: WatchRun[] = [];
    const inFlight = new Map<string, number>();
    let most = 0;
    let flakyCalls = 0;
    const tick = () => new Promise<void>((r) => setImmediate(r));
    const backup = async (rp: ResolvedPolicy) => {
      const service = rp.policy.service;
      const moment = w.now().toISOString();
      inFlight.set(service, (inFlight.get(service) ?? 0) + 1);
      most = Math.max(most, inFlight.get(service)!);
      for (let i = 0; i < 12; i++) await tick(); // a run of some seconds, while the loop goes on ticking
      inFlight.set(service, inFlight.get(service)! - 1);
      if (service === 'flaky' && ++flakyCalls <= 3)
        return { result: 'failed' as const, restorePoint: null, error: 'copy failed', moment: null };
      return { result: 'ok' as const, restorePoint: `hb-${service}-${moment}`, moment };
    };
    const drill = async () => ({ result: 'ok' as const, restorePoint: null });
    let edited = false;
    await watch(
      dir,
      { clusters: undefined, parallel: 4, tickMs: 1000 },
      backup,
      drill,
      {
        runner: w.rec.runner,
        spawn: () => {
          throw new Error('no sessions here');
        },
        fetch: w.hadoop.fetch,
        putData: w.hadoop.putData,
        now: w.now,
        stateDir: w.stateDir,
        progress: new Progress(() => {}),
        sleep: async (ms) => {
          w.later(ms);
          await tick();
          // Four minutes on, the fast service is edited to run every minute.
          if (!edited && w.now().getTime() - start >= 240_000) {
            write('fast', { service: 'fast', schedule: 'every 60s' });
            edited = true;
          }
        },
        stopped: () => w.now().getTime() - start >= 480_000,
      },
      (r) => runs.push(r),
    );
    expect(most).toBe(1);
    const starts = (service: string) => runs.filter((r) => r.service === service).map((r) => r.startedAt - start);
    const gaps = (xs: number[]) => xs.slice(1).map((x, i) => x - xs[i]!);
    const fast = starts('fast');
    const before = fast.filter((t) => t < 240_000);
    const after = fast.filter((t) => t > 245_000);
    expect(gaps(before).every((g) => g >= 30_000 && g <= 40_000)).toBe(true);
    expect(before.length).toBeGreaterThanOrEqual(6);
    expect(gaps(after).every((g) => g >= 60_000 && g <= 70_000)).toBe(true);
    expect(after.length).toBeGreaterThanOrEqual(3);
    // The flaky one: tried again after 30 s, 60 s, 120 s, then on its schedule.
    const flaky = runs.filter((r) => r.service === 'flaky');
    expect(flaky.slice(0, 4).map((r) => [r.result, r.failures])).toEqual([
      ['failed', 1],
      ['failed', 2],
      ['failed', 3],
      ['ok', 0],
    ]);
    const waits = flaky.slice(1, 4).map((r, i) => r.startedAt - flaky[i]!.endedAt);
    expect(waits.map((ms) => Math.round(ms / 1000))).toEqual([30, 60, 120].map((s) => expect.closeTo(s, 1.5)) as unknown as number[]);
    // Every run ended before the loop did: nothing was left running.
    expect([...inFlight.values()].every((n) => n === 0)).toBe(true);
  });
});
