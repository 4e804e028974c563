/**
 * How commands put flows together, so that no flow imports another: a backup followed by the
 * policy's sync-users (backup, run-due, and the last backups of a switchover run it so).
 */

import type { ResolvedPolicy } from '../config/load.js';
import type { FlowIo } from '../core/context.js';
import { type BackupOptions, backupService } from '../flows/backup/backup.js';
import type { BackupReport } from '../flows/backup/report.js';
import { syncUsers, type UsersReport } from '../flows/users/sync.js';

/** A backup's report, with what the policy's `syncUsers` planned or did after it. */
export interface ServiceBackup extends BackupReport {
  users?: UsersReport;
}

/** One backup of a service; with the policy's `syncUsers`, sync-users for it once its restore point is made (or planned). */
export async function backupThenUsers(rp: ResolvedPolicy, options: BackupOptions, io: FlowIo): Promise<ServiceBackup> {
  const report: ServiceBackup = await backupService(rp, options, io);
  const go = options.dryRun ? report.result === 'planned' : report.result === 'ok';
  if (!rp.policy.syncUsers || !go) return report;
  report.users = await io.progress.step(
    `${rp.policy.service}: sync-users`,
    () => syncUsers({ clustersFile: rp.clustersFile, policies: [rp], prune: false, contents: false, dryRun: options.dryRun }, io),
    (r) => `${rp.policy.service}: sync-users ${r.result}, ${r.changes.length} change(s)`,
  );
  return report;
}
