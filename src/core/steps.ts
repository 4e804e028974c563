/**
 * A flow that acts on both sites (failover, failback) as a list of steps, each naming the changes it
 * sends. Some steps' changes are known only once an earlier step is done (a restore after the last
 * backup): the plan says so, and the run lists them as it makes them. Steps past the point of no
 * return are recorded as done, so a run that carries on after a dead one skips them.
 */
import type { Change, Performer } from './change.js';
import { perform } from './change.js';
import type { Progress } from './events.js';

export interface Step {
  /** Unique in its flow: what is recorded once the step is done. */
  id: string;
  /** How the step reads in a plan and in progress lines. */
  title: string;
  /** Its changes as known now (for a step that plans when it runs: what it would make now, or none). */
  changes: Change[];
  /** Its changes are planned when it runs, after what this says. */
  later?: string;
  /** Does the step itself; returns the changes it made when they were planned only then. */
  run?: () => Promise<Change[] | undefined>;
  /** Past the point of no return: recorded when done, and skipped by a run that carries on. */
  recorded?: boolean;
}

/** One change as a plan or a report shows it. */
export interface ShownChange {
  step: string;
  site: string;
  change: string;
}

const shown = (step: string, changes: Change[]): ShownChange[] => changes.map((c) => ({ step, site: c.site, change: c.text }));

/**
 * The plan as people and scripts read it: each step's changes in order, or what it waits for; a
 * recorded step ends with `record`, the write that records it as done.
 */
export function planOf(steps: Step[], done: ReadonlySet<string> = new Set(), record?: Change): ShownChange[] {
  return steps.flatMap((s) => {
    if (done.has(s.id)) return [{ step: s.title, site: '', change: '(done by an earlier run)' }];
    const later = s.later ? [{ step: s.title, site: '', change: `(planned when it runs: ${s.later})` }] : [];
    return [...shown(s.title, s.changes), ...later, ...(s.recorded && record ? shown(s.title, [record]) : [])];
  });
}

export interface StepRun {
  performer: Performer;
  progress: Progress;
  /** Steps done by an earlier run (recorded): skipped. */
  done: ReadonlySet<string>;
  /** Records a recorded step as done; `recordChange` is how that write shows. */
  record: (id: string) => Promise<void>;
  recordChange?: Change;
  /** Every change made, in order (the report's `made`). */
  made: ShownChange[];
}

/** Run the steps in order; the first that fails stops them (its error goes on to the caller). */
export async function runSteps(steps: Step[], r: StepRun): Promise<void> {
  for (const s of steps) {
    if (r.done.has(s.id)) {
      r.progress.info(`${s.title}: done by an earlier run`);
      continue;
    }
    await r.progress.step(s.title, async () => {
      if (s.run) r.made.push(...shown(s.title, (await s.run()) ?? s.changes));
      else
        for (const c of s.changes) {
          await perform(r.performer, c);
          r.made.push(...shown(s.title, [c]));
        }
    });
    if (s.recorded) {
      await r.record(s.id);
      if (r.recordChange) r.made.push(...shown(s.title, [r.recordChange]));
    }
  }
}
