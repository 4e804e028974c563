/**
 * The DR report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.
 * Made to be read by a person and handed to an auditor: the sites now, then per service its RPO
 * over time, restore points, drills, and the failovers and failbacks.
 */
import { barChart, duration, escapeHtml as e, lineChart, size } from './charts.js';
import type { ReportData, ServiceHistory, SwitchRow } from './gather.js';

const CSS = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#222;line-height:1.4}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #1f6fb2;padding-bottom:.2rem;margin-top:2.5rem}h3{margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}td:last-child{overflow-wrap:anywhere}
th{background:#f0f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}.OK,.ok{color:#2e7d32;font-weight:600}
.WARNING{color:#b26a00;font-weight:600}.CRITICAL,.failed{color:#c62828;font-weight:600}.meta{color:#555}.none{color:#777;font-style:italic}
svg{max-width:100%;height:auto}@media print{h2{break-before:page}}`;

const iso = (s: string) => s.replace(/\.\d{3}Z$/, 'Z');
const table = (head: string[], rows: string[][], numeric: number[] = []) =>
  rows.length
    ? `<table><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '<p class="none">None.</p>';

function sitesSection(d: ReportData): string {
  const rows = d.sites.map((s) => [e(s.site), e(s.role), `<span class="${e(s.level)}">${e(s.level)}</span>`, e(s.detail)]);
  const problems = d.problems.length
    ? `<ul>${d.problems.map((p) => `<li><span class="${e(p.level)}">${e(p.level)}</span>: ${e(p.message)}</li>`).join('')}</ul>`
    : '<p>No problems found.</p>';
  return `<h2 id="sites">Sites now</h2>${table(['Site', 'Role', 'Status', 'Details'], rows)}${problems}`;
}

function serviceSection(s: ServiceHistory, switches: SwitchRow[]): string {
  const newest = s.points.at(-1);
  const rpoNow = s.rpo.at(-1);
  const worst = s.rpo.length ? Math.max(...s.rpo.map((r) => r.seconds)) : null;
  const okDrills = s.drills.filter((d) => d.result === 'ok');
  const summary = [
    `Schedule: ${s.schedule ? `<code>${e(s.schedule)}</code> (UTC)` : 'on demand'}; restore points kept on <b>${e(s.secondary)}</b>.`,
    `Restore points: ${s.points.length}${newest ? `, newest ${e(newest.snapshot)} (moment ${e(iso(newest.moment))})` : ''}.`,
    `RPO now: ${rpoNow ? duration(rpoNow.seconds) : 'no restore point yet'}${worst !== null ? `; worst since the first point kept: ${duration(worst)}` : ''}.`,
    `Drills: ${s.drills.length}, ${okDrills.length} passed${okDrills.length ? `; last passed ${e(okDrills.at(-1)!.stamp)}` : ''}.`,
  ];
  const points = s.points
    .slice()
    .reverse()
    .map((p) => [
      e(iso(p.moment)),
      e(p.snapshot),
      e(iso(p.completedAt)),
      e(duration(p.durationSeconds)),
      e(size(p.bytesCopied)),
      String(p.filesCopied),
      `${p.consistencyWindowMs} ms`,
      String(p.datasets),
    ]);
  const drills = s.drills
    .slice()
    .reverse()
    .map((d) => [
      e(iso(d.completedAt)),
      e(d.point),
      `<span class="${d.result === 'ok' ? 'ok' : 'failed'}">${d.result === 'ok' ? 'passed' : 'FAILED'}</span>`,
      d.restoreSeconds === null ? '—' : e(duration(d.restoreSeconds)),
      e(duration(d.durationSeconds)),
      e(d.problem ?? ''),
    ]);
  const mine = switches.filter((w) => w.served.some((x) => x.service === s.service));
  const switchRows = mine.map((w) => {
    const served = w.served.find((x) => x.service === s.service)!;
    return [
      e(iso(w.at)),
      e(w.reason),
      e(w.site),
      served.restorePoint ? e(served.restorePoint) : '—',
      served.rpoSeconds === null ? '—' : e(duration(served.rpoSeconds)),
      w.rtoSeconds === null ? '—' : e(duration(w.rtoSeconds)),
    ];
  });
  const chrono = s.points.map((p) => ({ label: p.stamp.slice(0, 13), p }));
  return `<h2 id="service-${e(s.service)}">Service ${e(s.service)}</h2>
<ul>${summary.map((l) => `<li>${l}</li>`).join('')}</ul>
${s.problems.length ? `<p class="WARNING">Unreadable records: ${e(s.problems.join('; '))}</p>` : ''}
<h3>RPO over time</h3><p class="meta">How old the newest complete restore point was at each moment (it drops when a restore point completes).</p>
${lineChart(
  `RPO of ${s.service} over time`,
  s.rpo.map((r) => ({ at: r.at, value: r.seconds })),
  duration,
)}
<h3>Bytes copied per restore point</h3>
${barChart(
  `Bytes copied per restore point of ${s.service}`,
  chrono.map(({ label, p }) => ({ label, value: p.bytesCopied })),
  size,
)}
<h3>Duration per restore point</h3>
${barChart(
  `Duration per restore point of ${s.service}`,
  chrono.map(({ label, p }) => ({ label, value: p.durationSeconds })),
  duration,
)}
<h3>Restore points</h3>
${table(['Moment (UTC)', 'Snapshot', 'Completed (UTC)', 'Duration', 'Copied', 'Files copied', 'Consistency window', 'Data sets'], points, [3, 4, 5, 6, 7])}
<h3>Restore drills</h3>
${table(['Completed (UTC)', 'Restore point', 'Result', 'Time to restore', 'Drill duration', 'Problem'], drills, [3, 4])}
<h3>Failovers and failbacks</h3>
${table(['When (UTC)', 'What', 'New primary', 'Restore point served', 'RPO', 'RTO'], switchRows, [4, 5])}`;
}

function switchesSection(d: ReportData): string {
  const rows = d.switches.map((w) => [
    e(iso(w.at)),
    String(w.epoch),
    e(w.site),
    e(w.role),
    e(w.reason),
    w.rtoSeconds === null ? '—' : e(duration(w.rtoSeconds)),
  ]);
  return `<h2 id="identities">Identity history of the sites</h2><p class="meta">Every change of role, oldest first; a failover's RTO runs from the start of its run to the promotion.</p>${table(['When (UTC)', 'Epoch', 'Site', 'Role', 'Reason', 'RTO'], rows, [1, 5])}`;
}

export function renderHtml(d: ReportData): string {
  const names = d.services.map((s) => s.service);
  const toc = names.map((n) => `<li><a href="#service-${e(n)}">${e(n)}</a></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>hbackup DR report — ${e(iso(d.generatedAt))}</title><style>${CSS}</style></head>
<body><h1>Disaster recovery report</h1>
<p class="meta">Generated by hbackup at ${e(iso(d.generatedAt))} (UTC). Services: ${e(names.join(', ') || 'none')}.</p>
<ul>${toc}<li><a href="#identities">Identity history</a></li></ul>
${sitesSection(d)}
${d.services.map((s) => serviceSection(s, d.switches)).join('\n')}
${switchesSection(d)}
</body></html>
`;
}
