// An SSH server on loopback of the test's own (ssh2, the Node SSH implementation: no system sshd
// needed), standing in for an edge node. The client is the real OpenSSH `ssh`; commands run here,
// through bash as a login shell's `-c` would, where the sandbox's tools are.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import ssh2 from 'ssh2';
import { tmpDir } from './helpers.js';

export interface Sshd {
  port: number;
  /** ssh arguments that reach it: port, key, no host-key prompts. */
  options: string[];
  destination: string;
  /** The commands it was asked to run. */
  commands: string[];
  stop(): Promise<void>;
}

export async function startSshd(port = 22222): Promise<Sshd> {
  const dir = tmpDir('sshd');
  for (const key of ['host_key', 'client_key']) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
  }
  const allowed = ssh2.utils.parseKey(fs.readFileSync(path.join(dir, 'client_key.pub')));
  if (allowed instanceof Error) throw allowed;
  const commands: string[] = [];
  const server = new ssh2.Server({ hostKeys: [fs.readFileSync(path.join(dir, 'host_key'))] }, (client) => {
    client
      .on('authentication', (ctx) => {
        if (ctx.method !== 'publickey' || ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) {
          return ctx.reject(['publickey']);
        }
        if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject();
        return ctx.accept();
      })
      .on('ready', () => {
        client.on('session', (acceptSession) => {
          acceptSession().on('exec', (accept, _reject, info) => {
            commands.push(info.command);
            const stream = accept();
            const child = spawn('bash', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'] });
            child.stdout.pipe(stream, { end: false });
            child.stderr.pipe(stream.stderr, { end: false });
            stream.on('data', (c: Buffer) => child.stdin.write(c));
            stream.on('end', () => child.stdin.end());
            child.on('close', (code) => {
              stream.exit(code ?? 255);
              stream.end();
            });
          });
        });
      })
      .on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return {
    port,
    commands,
    destination: `${os.userInfo().username}@127.0.0.1`,
    options: [
      '-p',
      String(port),
      '-i',
      path.join(dir, 'client_key'),
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
    ],
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
