// Progress for cron is plain timestamped lines; spinners and colours only on a real terminal.
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/core/events.js';
import { Output } from '../../src/output.js';

function stream(props: { isTTY?: boolean; columns?: number } = {}) {
  let text = '';
  return {
    s: Object.assign(
      {
        write: (chunk: string) => {
          text += chunk;
          return true;
        },
      },
      props,
    ) as unknown as NodeJS.WritableStream,
    get text() {
      return text;
    },
  };
}
const now = () => new Date('2026-11-25T02:00:00.000Z');

describe('Output', () => {
  it('writes plain timestamped progress lines when stderr is not a terminal', async () => {
    const err = stream();
    const out = new Output({ json: false, verbose: false, color: true, stdout: stream().s, stderr: err.s, now });
    const progress = new Progress(out.handle);
    await progress.step(
      'orders: preflight',
      async () => 'ok',
      (r) => `orders: preflight ${r}`,
    );
    progress.warn('clock skew 2s');
    expect(err.text).toBe(
      '2026-11-25T02:00:00.000Z … orders: preflight\n' +
        '2026-11-25T02:00:00.000Z ok orders: preflight ok\n' +
        '2026-11-25T02:00:00.000Z warning: clock skew 2s\n',
    );
  });

  it('treats a terminal of unknown width like a pipe, without colour; a step that throws ends FAILED', async () => {
    const err = stream({ isTTY: true, columns: 0 });
    const out = new Output({ json: false, verbose: false, color: true, stdout: stream().s, stderr: err.s, now });
    const failing = new Progress(out.handle).step('x', async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(err.text).toBe('2026-11-25T02:00:00.000Z … x\n2026-11-25T02:00:00.000Z FAILED x\n');
  });

  it('keeps stdout for JSON under --json, and shows debug lines only with --verbose', () => {
    const [o, e] = [stream(), stream()];
    const out = new Output({ json: true, verbose: false, color: false, stdout: o.s, stderr: e.s, now });
    out.print('human');
    out.printJsonLine({ a: 1 });
    new Progress(out.handle).debug('GET http://nn');
    expect(o.text).toBe('{"a":1}\n');
    expect(e.text).toBe('');
  });
});
