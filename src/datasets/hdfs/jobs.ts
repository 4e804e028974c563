/**
 * The YARN side of copying a directory. A DistCp job does not die with the run that started it: when
 * a run is killed, its job may go on writing into the target. Every job hbackup starts is tagged with
 * its target (yarn/jobs.ts), so the next plan asks the ResourceManagers of the sites that run copies
 * into that target for live jobs carrying the tag; each becomes a change that stops it before the
 * target is touched. While a copy runs, its job's maps and bytes are read from the same API.
 */

import { type Change, killChange } from '../../core/change.js';
import { cleanLine } from '../../errors.js';
import type { Site } from '../../sites/site.js';
import { targetTag } from '../../yarn/jobs.js';
import type { YarnApp } from '../../yarn/resourcemanager.js';
import type { DatasetSpec, FlowContext } from '../kind.js';

export interface Orphan {
  site: string;
  app: string;
  name: string;
  state: string;
  startedAt: string;
}

/** Live jobs left writing into the target, and the changes that stop them (read-only). */
export async function findOrphans(ctx: FlowContext, spec: DatasetSpec): Promise<{ orphans: Orphan[]; stop: Change[] }> {
  const sites = [ctx.initiator, ctx.secondary].filter((s, i, all) => s.yarn && all.findIndex((o) => o.name === s.name) === i);
  const orphans: Orphan[] = [];
  const stop: Change[] = [];
  for (const site of sites) {
    let apps: YarnApp[];
    try {
      apps = await site.yarn!.apps(targetTag(ctx.secondary.name, spec.target));
    } catch (e) {
      ctx.progress.warn(
        `${spec.target}: cannot ask ${site.name}'s ResourceManager for jobs left writing into it: ${cleanLine((e as Error).message, 200)}`,
      );
      continue;
    }
    for (const app of apps) {
      orphans.push({ site: site.name, app: app.id, name: app.name, state: app.state, startedAt: new Date(app.startedTime).toISOString() });
      stop.push(killChange(site, app.id));
    }
  }
  return { orphans, stop };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * While `work` runs, show the progress of the site's YARN job writing into the target (maps done,
 * bytes copied) every few seconds; what the ResourceManager cannot say is left unsaid.
 */
export async function watchJob<T>(
  ctx: FlowContext,
  site: Site,
  spec: DatasetSpec,
  update: (text: string) => void,
  work: Promise<T>,
  everyMs = 2000,
): Promise<T> {
  const yarn = site.yarn;
  if (!yarn) return work;
  let done = false;
  let wake = () => {};
  const tag = targetTag(ctx.secondary.name, spec.target);
  const poll = async () => {
    while (!done) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, everyMs);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      if (done) return;
      try {
        const app = (await yarn.apps(tag, ['RUNNING']))[0];
        if (!app || done) continue;
        const job = await yarn.jobProgress(app.id).catch(() => undefined);
        const maps = job ? `, maps ${job.mapsCompleted}/${job.mapsTotal}` : '';
        const bytes = job?.bytesCopied !== undefined ? `, ${mb(job.bytesCopied)}` : '';
        if (!done) update(`${spec.source}: copying on YARN (${app.id}) ${Math.round(app.progress)}%${maps}${bytes}`);
      } catch (e) {
        ctx.debug(`progress of the copy into ${spec.target}: ${cleanLine((e as Error).message, 200)}`);
      }
    }
  };
  const watcher = poll();
  try {
    return await work;
  } finally {
    done = true;
    wake();
    await watcher;
  }
}
