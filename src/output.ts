/**
 * How hbackup talks to people and scripts. Progress (flow events) goes to stderr: a spinner per
 * step on a terminal, plain timestamped lines otherwise (cron, CI). Results go to stdout: human
 * text, or JSON with --json.
 */
import fs from 'node:fs';
import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';
import type { FlowEvent } from './core/events.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  color: boolean;
  stdout?: Stream;
  stderr?: Stream;
  now?: () => Date;
  /** Also append every line, plain and timestamped, to this file. */
  logFile?: string | undefined;
}

/** How a flow ended, as the first word of its line: ok in green, planned in cyan, anything else in red capitals. */
export const outcomeWord = (out: Pick<Output, 'c'>, result: string): string =>
  result === 'ok' ? out.c.green('ok') : result === 'planned' ? out.c.cyan('planned') : out.c.red(result.toUpperCase());

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly c: ChalkInstance;
  /** Spinners only make sense for one flow at a time; several side by side get plain lines. */
  spinners = true;
  private readonly out: Stream;
  private readonly err: Stream;
  private readonly tty: boolean;
  private readonly now: () => Date;
  private readonly spinning = new Map<number, Ora>();
  private readonly logFile: string | undefined;

  constructor(opts: OutputOptions) {
    this.json = opts.json;
    this.verbose = opts.verbose;
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    // A terminal that does not say how wide it is cannot be redrawn safely: plain lines then.
    const columns = (this.err as { columns?: number }).columns ?? 0;
    this.tty = Boolean(this.err.isTTY) && columns > 0 && !process.env.CI;
    this.now = opts.now ?? (() => new Date());
    this.logFile = opts.logFile;
    const colour = opts.color && this.tty && !process.env.NO_COLOR;
    this.c = new Chalk({ level: colour ? 1 : 0 });
  }

  /** A result line for people (stdout); silent under --json. */
  print(text: string): void {
    if (this.json) return;
    this.out.write(`${text}\n`);
    this.log(text);
  }

  /** A document (a report) written to stdout as it is, whatever the output mode. */
  document(text: string): void {
    this.out.write(text);
  }

  /** The machine-readable result (stdout). */
  printJson(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
    this.log(JSON.stringify(value));
  }

  /** One machine-readable result per line (JSON Lines), for a result per service. */
  printJsonLine(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
    this.log(JSON.stringify(value));
  }

  /** Append a line to the log file, plain: no colours, one line, timestamped. */
  private log(text: string): void {
    if (!this.logFile) return;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is removed
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
    try {
      fs.appendFileSync(
        this.logFile,
        plain
          .split('\n')
          .map((l) => `${this.now().toISOString()} ${l}\n`)
          .join(''),
      );
    } catch (e) {
      this.err.write(`warning: cannot write the log file ${this.logFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    }
  }

  /** A problem with the input, as a located line on stderr (`file:line:col: …`, as editors read them); silent under --json. */
  problem(text: string): void {
    if (this.json) return;
    this.err.write(`${text}\n`);
    this.log(text);
  }

  /** An error line on stderr. */
  error(text: string): void {
    this.line(`${this.c.red('error:')} ${text}`);
  }

  /** Draw one flow event. */
  readonly handle = (e: FlowEvent): void => {
    switch (e.type) {
      case 'note':
        if (e.level === 'info') this.line(e.text);
        else if (e.level === 'warn') this.line(this.c.yellow(`warning: ${e.text}`));
        else if (this.verbose) this.line(this.c.dim(e.text));
        return;
      case 'begin':
        if (this.animated) {
          const spinner = ora({ text: e.text, stream: this.err, color: 'cyan', discardStdin: false }).start();
          this.spinning.set(e.id, spinner);
          this.log(`… ${e.text}`);
        } else {
          this.line(`… ${e.text}`);
        }
        return;
      case 'update': {
        const spinner = this.spinning.get(e.id);
        if (spinner) spinner.text = e.text;
        else if (this.verbose) this.line(this.c.dim(e.text));
        return;
      }
      case 'end': {
        const spinner = this.spinning.get(e.id);
        this.spinning.delete(e.id);
        if (spinner) {
          spinner[e.ok ? 'succeed' : 'fail'](e.text);
          this.log(`${e.ok ? 'ok' : 'FAILED'} ${e.text}`);
        } else this.line(`${e.ok ? 'ok' : 'FAILED'} ${e.text}`);
        return;
      }
    }
  };

  private get animated(): boolean {
    return this.tty && this.spinners;
  }

  private line(text: string): void {
    this.log(text);
    const spinner = [...this.spinning.values()].pop();
    if (spinner) {
      // Keep the spinner below what is written meanwhile.
      spinner.clear();
      this.err.write(`${text}\n`);
      spinner.render();
      return;
    }
    this.err.write(this.animated ? `${text}\n` : `${this.now().toISOString()} ${text}\n`);
  }
}
