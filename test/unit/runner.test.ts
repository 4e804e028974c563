// The real runner on a real process: a tool that logs a line per file keeps only its output's tail.
import { describe, expect, it } from 'vitest';
import { execaRunner } from '../../src/exec/runner.js';

describe('execaRunner', () => {
  it('keeps only the last characters of a chatty tool when asked, and still passes every line on', async () => {
    const script =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the child node's own template literal
      'for (let i = 0; i < 20000; i++) console.error(`copying file ${i}`); console.error("Bytes Copied=42"); console.log("done");';
    let lines = 0;
    const r = await execaRunner({ argv: ['node', '-e', script] }, { tail: 1000, onStderrLine: () => lines++ });
    expect(r.exitCode).toBe(0);
    expect(lines).toBe(20001);
    expect(r.stderr.length).toBeLessThanOrEqual(1000);
    expect(r.stderr.endsWith('copying file 19999\nBytes Copied=42\n')).toBe(true);
    expect(r.stdout).toBe('done\n');
  });

  it('keeps everything by default', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the child node's own template literal
    const r = await execaRunner({ argv: ['node', '-e', 'for (let i = 0; i < 3000; i++) console.error(`line ${i}`)'] });
    expect(r.stderr.split('\n')).toHaveLength(3001);
  });
});
