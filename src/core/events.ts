/**
 * What a flow tells the people watching it: steps that begin and end, and notes. Flows only emit
 * events; the output layer (src/output.ts) draws them as spinners on a terminal or as plain
 * timestamped lines for cron.
 */

export type FlowEvent =
  | { type: 'begin'; id: number; text: string }
  | { type: 'update'; id: number; text: string }
  | { type: 'end'; id: number; ok: boolean; text: string }
  | { type: 'note'; level: 'info' | 'warn' | 'debug'; text: string };

export type EventSink = (e: FlowEvent) => void;

let nextId = 1;

/** What a flow uses to report progress. */
export class Progress {
  constructor(private readonly sink: EventSink) {}

  info(text: string): void {
    this.sink({ type: 'note', level: 'info', text });
  }

  warn(text: string): void {
    this.sink({ type: 'note', level: 'warn', text });
  }

  debug(text: string): void {
    this.sink({ type: 'note', level: 'debug', text });
  }

  /**
   * Run `fn` as one step: it begins with `text` and ends with `done(result)` when `fn` succeeds,
   * or as failed when it throws (the error goes on to the caller).
   */
  async step<T>(text: string, fn: (update: (t: string) => void) => Promise<T>, done?: (r: T) => string): Promise<T> {
    const id = nextId++;
    this.sink({ type: 'begin', id, text });
    try {
      const r = await fn((t) => this.sink({ type: 'update', id, text: t }));
      this.sink({ type: 'end', id, ok: true, text: done ? done(r) : text });
      return r;
    } catch (e) {
      this.sink({ type: 'end', id, ok: false, text });
      throw e;
    }
  }
}
