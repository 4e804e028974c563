#!/usr/bin/env node
// The hbackup entry point: the only place that ends the process with an exit code.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv);
