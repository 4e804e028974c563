import fs from 'node:fs';
import path from 'node:path';
import { input } from '@inquirer/prompts';
import { resolvePolicy } from '../config/load.js';
import { TABLE_NAME } from '../config/schema.js';
import { kindOf, specsOf } from '../datasets/index.js';
import { ExitCode, HbackupError, UsageError } from '../errors.js';
import { checkPolicyText, clustersRef, type PolicyAnswers, policyText } from '../policy/new.js';
import { currentRoles } from '../sites/roles.js';
import { openSite } from '../sites/site.js';
import { type CommandEnv, siteIo } from './context.js';

export interface PolicyNewOptions {
  clusters?: string;
  service?: string;
  hdfs?: string[];
  hbase?: string[];
  schedule?: string;
  output?: string;
  force?: boolean;
}

const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Ask for what the flags left out, on a terminal; without one, say which flags are missing. */
async function complete(
  opts: PolicyNewOptions,
  env: CommandEnv,
): Promise<Required<Pick<PolicyNewOptions, 'service' | 'output'>> & PolicyNewOptions> {
  const context =
    env.prompt ?? (process.stdin.isTTY && process.stderr.isTTY ? { input: process.stdin, output: process.stderr } : undefined);
  const missing = [
    !opts.service && '--service',
    !opts.hdfs?.length && !opts.hbase?.length && '--hdfs or --hbase',
    !opts.output && '-o FILE',
  ].filter(Boolean);
  if (!missing.length) return opts as never;
  if (!context) throw new UsageError(`policy new: give ${missing.join(', ')} (or run it on a terminal to be asked)`);
  const service =
    opts.service ??
    (await input(
      {
        message: 'Service name (lower-case letters, digits, "-"):',
        validate: (s) => /^[a-z][a-z0-9-]{0,62}$/.test(s) || 'lower-case letters, digits and "-", starting with a letter',
      },
      context,
    ));
  let hdfs = opts.hdfs ?? [];
  let hbase = opts.hbase ?? [];
  if (!hdfs.length && !hbase.length) {
    hdfs = list(
      await input(
        {
          message: 'HDFS directories on the primary (space-separated, may be empty):',
          validate: (s) => list(s).every((p) => p.startsWith('/')) || 'absolute paths, e.g. /data/orders',
        },
        context,
      ),
    );
    hbase = list(
      await input(
        {
          message: 'HBase tables on the primary (namespace:table, space-separated, may be empty):',
          validate: (s) =>
            (list(s).every((t) => TABLE_NAME.test(t)) && (hdfs.length > 0 || list(s).length > 0)) ||
            'name at least one data set; tables as namespace:table',
        },
        context,
      ),
    );
  }
  const schedule =
    opts.schedule ?? ((await input({ message: 'Schedule (cron, UTC; empty: on demand):', default: '0 2 * * *' }, context)) || undefined);
  const output = opts.output ?? (await input({ message: 'Write the policy to:', default: `${service}.yaml` }, context));
  return { ...opts, service, hdfs, hbase, schedule, output };
}

/** Write a valid, commented policy; check its data sets on the primary and say how to fix what is missing. */
export async function policyNewCommand(given: PolicyNewOptions, env: CommandEnv): Promise<number> {
  const opts = await complete(given, env);
  const output = path.resolve(opts.output);
  if (fs.existsSync(output) && !opts.force)
    throw new UsageError(`${opts.output} exists: choose another -o FILE, or pass --force to replace it`);
  const clustersFile = opts.clusters ?? process.env.HBACKUP_CLUSTERS;
  const answers: PolicyAnswers = {
    service: opts.service,
    hdfs: opts.hdfs ?? [],
    hbase: opts.hbase ?? [],
    schedule: opts.schedule,
    clusters: clustersFile ? clustersRef(output, clustersFile) : undefined,
  };
  const text = policyText(answers, env.now());
  checkPolicyText(opts.output, text);
  // Written beside its destination first: checked as `validate` checks it, renamed only when valid.
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  try {
    const rp = resolvePolicy(tmp, clustersFile);
    const problems: string[] = [];
    const primary = openSite((await currentRoles(rp, (c) => openSite(c, siteIo(env)))).primary, siteIo(env));
    for (const spec of specsOf(rp.policy.datasets)) {
      try {
        const problem = await kindOf(spec.type).sourceProblem(primary, spec);
        if (problem) problems.push(problem);
      } catch (e) {
        if (!(e instanceof HbackupError)) throw e;
        problems.push(`${spec.source}: not checked (${e.message})`);
      }
    }
    fs.renameSync(tmp, output);
    if (env.out.json) env.out.printJson({ file: opts.output, service: answers.service, problems });
    else {
      env.out.print(`${opts.output}: written (service ${answers.service}, ${answers.hdfs.length + answers.hbase.length} data set(s))`);
      for (const p of problems) env.out.print(`  ${p}`);
      if (problems.length) env.out.print(`  then check it again: hbackup validate --online ${opts.output}`);
    }
    return problems.length ? ExitCode.PREFLIGHT : ExitCode.OK;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
