#!/usr/bin/env node
// The hbackup entry point: the only place that ends the process with an exit code.
import { main } from '../dist/cli.js';

// A reader that stops early (`hbackup list … | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv);
