/**
 * How hbackup names and tags the DistCp jobs it starts, so that YARN (and an administrator looking
 * at the ResourceManager) can tell whose they are, and a later run can find a job an interrupted
 * run left writing into a target. YARN keeps tags in lower case, ASCII, at most 100 characters.
 */
import { createHash } from 'node:crypto';

export interface JobLabel {
  name: string;
  tags: string[];
  queue?: string | undefined;
}

/** Every job that writes into one directory of one site carries this tag, whatever run started it. */
export const targetTag = (site: string, dir: string): string =>
  `hbackup-target-${createHash('sha256').update(`${site}\0${dir}`).digest('hex').slice(0, 24)}`;

/** The jobs of one run of one service. */
export const runTag = (service: string, stamp: string): string => `hbackup-run-${service}-${stamp.toLowerCase()}`;

/** The label of a DistCp job writing into `dir` on `site` for a service's backup (or restore) at `stamp`. */
export function copyJob(what: 'backup' | 'restore', service: string, stamp: string, site: string, dir: string, queue?: string): JobLabel {
  return {
    name: `hbackup ${what} ${service} ${stamp} ${site}:${dir}`,
    tags: ['hbackup', `hbackup-service-${service}`, runTag(service, stamp), targetTag(site, dir)],
    ...(queue ? { queue } : {}),
  };
}

/** The label of the DistCp job sync-users --contents starts to push a home root into `dir` on `site`. */
export function usersJob(stamp: string, site: string, dir: string, queue?: string): JobLabel {
  return {
    name: `hbackup sync-users ${stamp} ${site}:${dir}`,
    tags: ['hbackup', 'hbackup-sync-users', targetTag(site, dir)],
    ...(queue ? { queue } : {}),
  };
}

/** Hadoop's generic options that give a job its name, tags and queue (they come before DistCp's own). */
export function jobArgs(job: JobLabel | undefined): string[] {
  if (!job) return [];
  return [
    `-Dmapreduce.job.name=${job.name}`,
    `-Dmapreduce.job.tags=${job.tags.join(',')}`,
    ...(job.queue ? [`-Dmapreduce.job.queuename=${job.queue}`] : []),
  ];
}

/** A MapReduce counter from a job's log (the job prints its counters when it ends; the last value counts); absent: 0. */
export function jobCounter(log: string, name: string): number {
  const all = [...log.matchAll(new RegExp(`^\\s*${name}=(\\d+)\\s*$`, 'gm'))];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : 0;
}
