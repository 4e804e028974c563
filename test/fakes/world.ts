// Two fake sites (east primary, west secondary), a clusters file naming them, and hbackup's CLI run
// in-process against them with a recording runner and a clock the test moves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli.js';
import type { CommandEnv } from '../../src/commands/context.js';
import type { Session, Spawner } from '../../src/exec/session.js';
import { FakeHadoop } from './hadoop.js';
import { FakeMetastore } from './hive.js';
import { recordingRunner } from './runner.js';

/** `hive`: both sites have a Hive (a FakeMetastore behind a fake beeline). */
export function world(opts: { hive?: boolean } = {}) {
  let t = Date.parse('2026-11-25T02:00:00Z');
  const now = () => new Date(t);
  const hadoop = new FakeHadoop(now);
  const east = hadoop.add('east');
  const west = hadoop.add('west');
  const rec = recordingRunner(hadoop);
  /** The programs kept running (Beeline), by path: what starts each. */
  const sessions = new Map<string, () => Session>();
  const spawn: Spawner = (cmd) => {
    const start = sessions.get(cmd.argv[0]!);
    if (!start) throw new Error(`no session for ${cmd.argv[0]} here`);
    rec.commands.push(cmd);
    return start();
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbackup-world-'));
  const tools = (site: string) => {
    const bin = path.join(dir, site);
    fs.mkdirSync(bin);
    for (const tool of ['hadoop', 'hdfs', 'hbase', 'beeline'])
      fs.writeFileSync(path.join(bin, tool), '#!/bin/sh\nexit 99\n', { mode: 0o755 });
    if (opts.hive) sessions.set(`${bin}/beeline`, metastores[site as 'east' | 'west'].session);
    return { hadoop: `${bin}/hadoop`, hdfs: `${bin}/hdfs`, hbase: `${bin}/hbase`, ...(opts.hive ? { beeline: `${bin}/beeline` } : {}) };
  };
  const metastores = { east: new FakeMetastore(), west: new FakeMetastore() };
  const hive = (site: string) => (opts.hive ? { hive: { jdbcUrl: `jdbc:hive2://${site}:10000/default` } } : {});
  const clustersFile = path.join(dir, 'clusters.yaml');
  fs.writeFileSync(
    clustersFile,
    stringify({
      clusters: {
        east: { role: 'primary', webhdfs: east.base, fs: east.fs, user: 'hdfs', tools: tools('east'), ...hive('east') },
        west: { role: 'secondary', webhdfs: west.base, fs: west.fs, user: 'hdfs', tools: tools('west'), ...hive('west') },
      },
    }),
  );
  const stateDir = path.join(dir, 'state');

  return {
    hadoop,
    east,
    west,
    /** The sites' metastores (with `hive`). */
    metastores,
    rec,
    dir,
    stateDir,
    clustersFile,
    now,
    /** Move the clock on (the next run gets a new moment). */
    later(ms = 3_600_000) {
      t += ms;
    },
    policy(p: Record<string, unknown>): string {
      const file = path.join(dir, `${String(p.service)}-${Math.random().toString(36).slice(2)}.yaml`);
      fs.writeFileSync(file, stringify({ clusters: clustersFile, ...p }));
      return file;
    },
    /** A snapshottable directory on east with files: { 'a.txt': 'content', 'sub/': null }. */
    source(root: string, files: Record<string, string | null>) {
      east.mkdirs(root);
      for (const [rel, content] of Object.entries(files)) {
        if (content === null) east.mkdirs(`${root}/${rel.replace(/\/$/, '')}`);
        else east.write(`${root}/${rel}`, content);
      }
      east.allowSnapshot(root);
    },
    /** Run hbackup in-process; a last object argument adds to its environment (prompts, confirmation). */
    async cli(...args: (string | Partial<CommandEnv>)[]) {
      const extra = typeof args.at(-1) === 'object' ? (args.pop() as Partial<CommandEnv>) : {};
      let stdout = '';
      let stderr = '';
      const sink = (f: (s: string) => void) =>
        ({
          write: (s: string) => {
            f(s);
            return true;
          },
          isTTY: false,
        }) as unknown as NodeJS.WritableStream;
      const code = await main(['node', 'hbackup', ...(args as string[])], {
        stdout: sink((s) => {
          stdout += s;
        }),
        stderr: sink((s) => {
          stderr += s;
        }),
        env: { runner: rec.runner, spawn, fetch: hadoop.fetch, putData: hadoop.putData, now, stateDir, ...extra },
      });
      const json = stdout
        .split('\n')
        .filter((l) => l.startsWith('{') && l.endsWith('}'))
        .map((l) => JSON.parse(l) as Record<string, any>);
      return { code, stdout, stderr, json, report: json[0] };
    },
  };
}

export type World = ReturnType<typeof world>;
