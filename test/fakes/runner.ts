// A process runner that records every command and plays the clusters' tools against the fake
// clusters: `hadoop distcp` (full `-update -delete`, or `-update -diff`, refusing a changed target as
// DistCp 3.3 does) with its counters; anything else (hooks) by a handler, or exit 0.
import type { Command, Runner, RunResult } from '../../src/exec/runner.js';
import type { FakeHadoop } from './hadoop.js';
import type { FakeHdfs } from './hdfs.js';

export type Handler = (cmd: Command) => RunResult | Promise<RunResult>;

export interface RecordingRunner {
  runner: Runner;
  /** Every command run, in order. */
  commands: Command[];
  /** Handlers by program (argv[0]); a distcp handler replaces the simulated one. */
  handlers: Map<string, Handler>;
}

const ok = (stderr = ''): RunResult => ({ exitCode: 0, stdout: '', stderr });

/** Make the target's files equal the source tree's; counts what was written. */
function converge(src: FakeHdfs, srcPath: string, dst: FakeHdfs, dstPath: string, deleteMissing: boolean) {
  const want = src.tree(srcPath);
  let bytes = 0;
  let files = 0;
  dst.mkdirs(dstPath);
  for (const [rel, content] of Object.entries(want)) {
    const p = `${dstPath}/${rel}`;
    if (content === null) dst.mkdirs(p);
    else if (dst.read(p)?.toString('utf8') !== content) {
      dst.write(p, content);
      bytes += Buffer.byteLength(content);
      files++;
    }
  }
  if (deleteMissing) {
    const have = Object.keys(dst.tree(dstPath)).sort((a, b) => b.length - a.length);
    for (const rel of have) if (!(rel in want) && dst.lookup(`${dstPath}/${rel}`)) dst.remove(`${dstPath}/${rel}`);
  }
  return { bytes, files };
}

export function distcp(hadoop: FakeHadoop, argv: string[]): RunResult {
  const args = argv.slice(2);
  const diff = args.indexOf('-diff');
  const uris = args.filter((a) => a.startsWith('hdfs://'));
  const src = hadoop.byFs(uris[0]!);
  const dst = hadoop.byFs(uris[1]!);
  let counts: { bytes: number; files: number };
  const rdiff = args.indexOf('-rdiff');
  if (rdiff >= 0) {
    // Roll the directory back to `old`: it must hold `now` and be unchanged since.
    const [now, old] = [args[rdiff + 1]!, args[rdiff + 2]!];
    if (!dst.cluster.snapshots(dst.path).includes(old) || dst.cluster.diff(dst.path, now, '').length) {
      return { exitCode: 1, stdout: '', stderr: `ERROR tools.DistCp: The target has been modified since snapshot ${now}\n` };
    }
    counts = converge(dst.cluster, `${dst.path}/.snapshot/${old}`, dst.cluster, dst.path, true);
    return ok(`\t\tBytes Copied=${counts.bytes}\n\t\tFiles Copied=${counts.files}\n`);
  }
  if (diff >= 0) {
    const [from, to] = [args[diff + 1]!, args[diff + 2]!];
    if (!dst.cluster.snapshots(dst.path).includes(from)) {
      return {
        exitCode: 1,
        stdout: '',
        stderr: `WARN tools.DistCp: Cannot find the snapshot of the target ${dst.path} with name ${from}\n`,
      };
    }
    if (dst.cluster.diff(dst.path, from, '').length) {
      return {
        exitCode: 1,
        stdout: '',
        stderr: `WARN tools.DistCp: The target has been modified since snapshot ${from}\nERROR tools.DistCp: Exception encountered\n`,
      };
    }
    // Renames and deletions first (they copy nothing), then what was created or modified.
    for (const d of src.cluster.diff(src.path, from, to)) {
      if (d.type === 'RENAME') dst.cluster.rename(`${dst.path}/${d.sourcePath}`, `${dst.path}/${d.targetPath}`);
      if (d.type === 'DELETE' && dst.cluster.lookup(`${dst.path}/${d.sourcePath}`)) dst.cluster.remove(`${dst.path}/${d.sourcePath}`);
    }
    counts = converge(src.cluster, `${src.path}/.snapshot/${to}`, dst.cluster, dst.path, true);
  } else {
    counts = converge(src.cluster, src.path, dst.cluster, dst.path, args.includes('-delete'));
  }
  return ok(`INFO mapreduce.Job: Counters: 2\n\tDistCp Counters\n\t\tBytes Copied=${counts.bytes}\n\t\tFiles Copied=${counts.files}\n`);
}

export function recordingRunner(hadoop: FakeHadoop): RecordingRunner {
  const commands: Command[] = [];
  const handlers = new Map<string, Handler>();
  const runner: Runner = async (cmd) => {
    commands.push(cmd);
    const handler = handlers.get(cmd.argv[0]!) ?? handlers.get(cmd.argv[1]!);
    if (handler) return handler(cmd);
    if (cmd.argv[1] === 'distcp') return distcp(hadoop, cmd.argv);
    return ok();
  };
  return { runner, commands, handlers };
}
