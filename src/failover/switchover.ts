/**
 * The two halves of a planned switchover that belong to the services: a last backup of each, and
 * — once the roles have swapped — the catalog carried to the new secondary (catalog/carry.ts).
 */
import { type BackupOptions, backupService } from '../backup/backup.js';
import type { BackupReport } from '../backup/report.js';
import { readCatalog } from '../catalog/catalog.js';
import type { ResolvedPolicy } from '../config/load.js';
import { type FlowIo, siteIoOf } from '../flow/context.js';
import type { Roles } from '../sites/roles.js';
import { openSite } from '../sites/site.js';
import { applyCarry, planCarry } from './carry.js';

/** One backup of every service, one after another (each under its own lock). */
export async function lastBackups(services: ResolvedPolicy[], options: BackupOptions, io: FlowIo): Promise<BackupReport[]> {
  const reports: BackupReport[] = [];
  for (const rp of services) reports.push(await backupService(rp, options, io));
  return reports;
}

/** After the roles swapped: each service's catalog follows to the new secondary. */
export async function carryCatalogs(services: ResolvedPolicy[], roles: Roles, io: FlowIo): Promise<void> {
  const primary = openSite(roles.primary, siteIoOf(io));
  const secondary = openSite(roles.secondary, siteIoOf(io));
  for (const rp of services) {
    const { service } = rp.policy;
    await io.progress.step(
      `${service}: catalog → ${secondary.name}`,
      async () => {
        const carry = await planCarry(secondary, await readCatalog(primary.hdfs, service), await readCatalog(secondary.hdfs, service));
        await applyCarry(secondary, service, carry);
        return carry;
      },
      (c) =>
        `${service}: ${secondary.name} holds ${c.write.length} restore point(s) of ${primary.name}'s catalog` +
        (c.left.length ? `; ${c.left.length} older one(s) stay on ${primary.name}` : ''),
    );
  }
}
