// Brings the sandbox up for the integration tests unless it already runs (npm run sandbox:up),
// and stops it afterwards only if it started it here.
// @ts-expect-error the sandbox launcher is plain JavaScript
import { down, status, up } from '../cluster/sandbox.js';

let startedHere = false;

export async function setup(): Promise<void> {
  const rows: { webhdfsUp: boolean; hbaseMasterActive: boolean }[] = await status();
  if (rows.every((r) => r.webhdfsUp && r.hbaseMasterActive)) return;
  await up();
  startedHere = true;
}

export async function teardown(): Promise<void> {
  if (startedHere && !process.env.HBACKUP_SANDBOX_KEEP) await down();
}
