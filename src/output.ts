/**
 * How hbackup talks to people and scripts. Progress goes to stderr: a spinner per step on a TTY,
 * plain timestamped lines otherwise (cron, CI). Results go to stdout: human text, or JSON with --json.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import ora, { type Ora } from 'ora';

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  color: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => Date;
}

export interface Step {
  succeed(text?: string): void;
  fail(text?: string): void;
  update(text: string): void;
}

export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly c: ChalkInstance;
  /** Spinners only make sense for one flow at a time; several side by side get plain lines. */
  spinners = true;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  private readonly tty: boolean;
  private readonly now: () => Date;
  private active: Ora | undefined;

  constructor(opts: OutputOptions) {
    this.json = opts.json;
    this.verbose = opts.verbose;
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    // A terminal that does not say how wide it is cannot be redrawn safely: plain lines then.
    const columns = (this.err as { columns?: number }).columns ?? 0;
    this.tty = Boolean(this.err.isTTY) && columns > 0 && !process.env.CI;
    this.now = opts.now ?? (() => new Date());
    const colour = opts.color && this.tty && !process.env.NO_COLOR;
    this.c = new Chalk({ level: colour ? 1 : 0 });
  }

  /** A result line for people (stdout); silent under --json. */
  print(text: string): void {
    if (!this.json) this.out.write(`${text}\n`);
  }

  /** The machine-readable result (stdout). */
  printJson(value: unknown): void {
    this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One machine-readable result per line (JSON Lines), for a result per service. */
  printJsonLine(value: unknown): void {
    this.out.write(`${JSON.stringify(value)}\n`);
  }

  private line(text: string): void {
    if (this.active) {
      // Keep the spinner below what is written meanwhile.
      this.active.clear();
      this.err.write(`${text}\n`);
      this.active.render();
      return;
    }
    this.err.write(this.tty && this.spinners ? `${text}\n` : `${this.now().toISOString()} ${text}\n`);
  }

  info(text: string): void {
    this.line(text);
  }

  warn(text: string): void {
    this.line(this.c.yellow(`warning: ${text}`));
  }

  debug(text: string): void {
    if (this.verbose) this.line(this.c.dim(text));
  }

  /** A step in progress: a spinner on a TTY, a start and an end line otherwise. */
  step(text: string): Step {
    if (this.tty && this.spinners) {
      const spinner: Ora = ora({ text, stream: this.err, color: 'cyan', discardStdin: false }).start();
      this.active = spinner;
      const end = (how: 'succeed' | 'fail', t?: string) => {
        if (this.active === spinner) this.active = undefined;
        spinner[how](t ?? text);
      };
      return {
        succeed: (t) => end('succeed', t),
        fail: (t) => end('fail', t),
        update: (t) => {
          spinner.text = t;
        },
      };
    }
    this.line(`… ${text}`);
    return {
      succeed: (t) => this.line(`ok ${t ?? text}`),
      fail: (t) => this.line(`FAILED ${t ?? text}`),
      update: (t) => this.debug(t),
    };
  }
}
