// `policy new` in-process against in-memory clusters: from flags, and from answers typed at its
// prompts (the real prompt library, fed a scripted terminal).
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { world } from '../fakes/world.js';

describe('policy new', () => {
  it('writes a commented policy from flags that validates online, and backs up', async () => {
    const w = world();
    w.source('/data/orders', { 'a.txt': 'a' });
    const file = path.join(w.dir, 'orders.yaml');
    const r = await w.cli(
      '--clusters',
      w.clustersFile,
      'policy',
      'new',
      '--service',
      'orders',
      '--hdfs',
      '/data/orders',
      '--schedule',
      '0 2 * * *',
      '-o',
      file,
    );
    expect(r.code, r.stderr).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Service orders:/);
    expect(text).toContain('schedule: "0 2 * * *"   # cron, UTC');
    expect(text).toContain('  - hdfs: "/data/orders"   # a snapshottable directory on the primary');
    expect((await w.cli('validate', '--online', file)).code).toBe(0);
    expect((await w.cli('backup', file)).code).toBe(0);
    // It never overwrites a file unless told to.
    const again = await w.cli('--clusters', w.clustersFile, 'policy', 'new', '--service', 'orders', '--hdfs', '/data/orders', '-o', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists: choose another -o FILE, or pass --force');
  });

  it('writes the file but says how to allow snapshots when a directory is not snapshottable (exit 3); bad input writes nothing (exit 2)', async () => {
    const w = world();
    w.east.mkdirs('/plain');
    const file = path.join(w.dir, 'p.yaml');
    const r = await w.cli('--clusters', w.clustersFile, 'policy', 'new', '--service', 'plain', '--hdfs', '/plain', '-o', file);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('/plain on east is not snapshottable; as the HDFS superuser run: hdfs dfsadmin -allowSnapshot /plain');
    expect(fs.existsSync(file)).toBe(true);
    w.east.allowSnapshot('/plain');
    expect((await w.cli('validate', '--online', file)).code).toBe(0);

    const bad = path.join(w.dir, 'bad.yaml');
    const invalid = await w.cli(
      '--clusters',
      w.clustersFile,
      'policy',
      'new',
      '--service',
      'Bad_Name',
      '--hdfs',
      'relative/path',
      '-o',
      bad,
    );
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/bad\.yaml:\d+:\d+: service: a service name is lower-case/);
    expect(fs.existsSync(bad)).toBe(false);
    expect(fs.readdirSync(w.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('asks for what the flags leave out, on a terminal', async () => {
    const w = world();
    w.source('/data/clicks', { 'c.txt': 'c' });
    const file = path.join(w.dir, 'asked.yaml');
    const input = new PassThrough();
    let shown = '';
    // A terminal stays open after each prompt (the prompt library ends the stream it writes to).
    const output = new (class extends Writable {
      override _write(chunk: Buffer, _encoding: string, done: () => void) {
        shown += chunk.toString();
        done();
      }
      override end() {
        return this;
      }
    })();
    const answers = ['clicks', '/data/clicks', '', '30 3 * * *', file];
    const asked = (async () => {
      // Type each answer once its question is on the screen.
      for (const [i, question] of ['Service name', 'HDFS directories', 'HBase tables', 'Schedule', 'Write the policy to'].entries()) {
        while (!shown.includes(question)) await new Promise((r) => setTimeout(r, 5));
        input.write(`${answers[i]}\r`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await w.cli('--clusters', w.clustersFile, 'policy', 'new', { prompt: { input, output } });
    await asked;
    expect(r.code, r.stderr + shown).toBe(0);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('service: clicks');
    expect(text).toContain('schedule: "30 3 * * *"');
    expect(text).toContain('  - hdfs: "/data/clicks"');
    expect((await w.cli('validate', '--online', file)).code).toBe(0);
  });

  it('says which flags are missing when there is no terminal to ask on', async () => {
    const w = world();
    const r = await w.cli('policy', 'new', '--service', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('policy new: give --hdfs or --hbase, -o FILE (or run it on a terminal to be asked)');
  });
});
