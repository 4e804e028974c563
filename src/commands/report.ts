import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { gatherReport, reportFiles } from '../flows/report/gather.js';
import { renderHtml } from '../flows/report/html.js';
import { renderMarkdown } from '../flows/report/markdown.js';
import { type CommandEnv, flowIo } from './context.js';

export interface ReportCommandOptions {
  clusters?: string;
  policies?: string;
  format?: string;
  output?: string;
  timeout?: string;
}

const FORMATS = ['html', 'md', 'json'] as const;

/** One self-contained DR report of a set of services: HTML (default), Markdown or JSON, to a file or stdout. */
export async function reportCommand(files: string[], opts: ReportCommandOptions, env: CommandEnv): Promise<number> {
  const byName = opts.output?.endsWith('.md') ? 'md' : opts.output?.endsWith('.json') ? 'json' : 'html';
  const format = opts.format ?? byName;
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) throw new UsageError(`--format ${format}: say html, md or json`);
  const policies = reportFiles(opts.policies, files);
  if (!policies.length) throw new UsageError('report: name policy files or give --policies DIR');
  const timeoutMs = Math.round(Number(opts.timeout ?? '5') * 1000);
  if (!(timeoutMs > 0)) throw new UsageError(`--timeout ${opts.timeout}: give seconds, e.g. 5`);
  env.out.spinners = false;
  const data = await gatherReport(policies, opts.clusters, flowIo(env), timeoutMs);
  const text = format === 'html' ? renderHtml(data) : format === 'md' ? renderMarkdown(data) : `${JSON.stringify(data, null, 2)}\n`;
  if (!opts.output) {
    env.out.document(text);
    return 0;
  }
  try {
    fs.writeFileSync(opts.output, text);
  } catch (e) {
    throw new UsageError(`-o ${opts.output}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  env.out.print(`report of ${data.services.length} service(s) written to ${opts.output} (${format}, ${text.length} bytes)`);
  return 0;
}
