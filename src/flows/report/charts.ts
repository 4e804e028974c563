/**
 * Charts as inline SVG, so a report opens anywhere with no network and no script: a line over time
 * (the RPO's sawtooth) and bars per restore point (bytes, durations). Axes carry units and ISO dates.
 */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const W = 760;
const H = 220;
const PAD = { left: 70, right: 16, top: 14, bottom: 42 };

/** A duration in words a person reads at a glance: 45 s, 12 min, 3.5 h, 2.1 d. */
export function duration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** Bytes in binary units: 512 B, 3.2 MiB. */
export function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Steps a time axis reads well in (seconds): 10 s, 1 min, 5 min, 1 h, 1 d, … */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

/** Up to `n` round steps from 0 to at least `max` (on a time axis, steps of TIME_STEPS). */
function ticks(max: number, time: boolean, n = 4): number[] {
  const raw = Math.max(max, 1) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = (time ? TIME_STEPS.find((s) => s >= raw) : undefined) ?? [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return Array.from({ length: Math.ceil(Math.max(max, 1) / step) + 1 }, (_, i) => i * step);
}

const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function frame(title: string, yTicks: number[], yLabel: (v: number) => string, top: number, body: string, xLabels: string): string {
  const ih = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const grid = yTicks
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>` +
        `<text x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${escapeHtml(yLabel(t))}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${grid}${body}${xLabels}` +
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#555"/>` +
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#555"/></svg>`
  );
}

/** A line over time: points (ISO time, value), the y axis labelled by `yLabel`. */
export function lineChart(title: string, points: { at: string; value: number }[], yLabel: (v: number) => string): string {
  if (!points.length) return '<p class="none">No data yet.</p>';
  const xs = points.map((p) => Date.parse(p.at));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const yTicks = ticks(Math.max(...points.map((p) => p.value)), yLabel === duration);
  const top = yTicks.at(-1)!;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (ms: number) => PAD.left + ((ms - x0) / (x1 - x0)) * iw;
  const y = (v: number) => PAD.top + ih - (v / top) * ih;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(Date.parse(p.at)).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const xLabels = [x0, (x0 + x1) / 2, x1]
    .map((ms, i) => {
      const anchor = ['start', 'middle', 'end'][i];
      return `<text x="${x(ms)}" y="${H - PAD.bottom + 16}" text-anchor="${anchor}" font-size="11">${isoMinute(ms)} UTC</text>`;
    })
    .join('');
  return frame(title, yTicks, yLabel, top, `<path d="${path}" fill="none" stroke="#1f6fb2" stroke-width="2"/>`, xLabels);
}

/** Bars, one per labelled value (a restore point's stamp), oldest left. */
export function barChart(title: string, bars: { label: string; value: number }[], yLabel: (v: number) => string): string {
  if (!bars.length) return '<p class="none">No data yet.</p>';
  const yTicks = ticks(Math.max(...bars.map((b) => b.value)), yLabel === duration);
  const top = yTicks.at(-1)!;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const slot = iw / bars.length;
  const body = bars
    .map((b, i) => {
      const h = (b.value / top) * ih;
      return (
        `<rect x="${(PAD.left + i * slot + slot * 0.15).toFixed(1)}" y="${(PAD.top + ih - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#4a9d5b">` +
        `<title>${escapeHtml(`${b.label}: ${yLabel(b.value)}`)}</title></rect>`
      );
    })
    .join('');
  const every = Math.ceil(bars.length / 6);
  const xLabels = bars
    .map((b, i) =>
      i % every
        ? ''
        : `<text x="${(PAD.left + (i + 0.5) * slot).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="10">${escapeHtml(b.label)}</text>`,
    )
    .join('');
  return frame(title, yTicks, yLabel, top, body, xLabels);
}
