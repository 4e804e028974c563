// The DR report's pieces without a cluster: the RPO's sawtooth from restore points, and pages that
// escape whatever text they show (a problem a server wrote, a table name) and carry no script and no
// address to fetch.
import { describe, expect, it } from 'vitest';
import { duration, size } from '../../src/flows/report/charts.js';
import { type ReportData, rpoOverTime } from '../../src/flows/report/gather.js';
import { renderHtml } from '../../src/flows/report/html.js';
import { renderMarkdown } from '../../src/flows/report/markdown.js';

const point = (stamp: string, moment: string, completedAt: string, bytes = 1024) => ({
  stamp,
  snapshot: `hb-orders-${stamp}`,
  moment,
  completedAt,
  durationSeconds: 60,
  bytesCopied: bytes,
  filesCopied: 3,
  consistencyWindowMs: 40,
  datasets: 2,
});

describe('rpoOverTime', () => {
  it('grows until a restore point completes, then drops to its age; ends with the age now', () => {
    const points = [
      { moment: '2026-11-25T01:00:00Z', completedAt: '2026-11-25T01:01:00Z' },
      { moment: '2026-11-25T02:00:00Z', completedAt: '2026-11-25T02:02:00Z' },
    ];
    expect(rpoOverTime(points, new Date('2026-11-25T02:30:00Z'))).toEqual([
      { at: '2026-11-25T01:01:00Z', seconds: 60 },
      { at: '2026-11-25T02:02:00Z', seconds: 3720 },
      { at: '2026-11-25T02:02:00Z', seconds: 120 },
      { at: '2026-11-25T02:30:00.000Z', seconds: 1800 },
    ]);
    expect(rpoOverTime([], new Date())).toEqual([]);
  });
});

describe('report pages', () => {
  const data: ReportData = {
    generatedAt: '2026-11-25T03:00:00.000Z',
    sites: [{ site: 'east', role: 'primary', level: 'OK', reachable: true, detail: 'NameNode active' }],
    problems: [{ level: 'WARNING', message: 'west: <script>alert(1)</script> & more' }],
    services: [
      {
        service: 'orders',
        file: '/etc/hbackup/orders.yaml',
        schedule: '0 * * * *',
        secondary: 'west',
        points: [
          point('20261125T010000Z', '2026-11-25T01:00:00Z', '2026-11-25T01:01:00Z'),
          point('20261125T020000Z', '2026-11-25T02:00:00Z', '2026-11-25T02:01:00Z', 5 * 1024 ** 2),
        ],
        rpo: rpoOverTime(
          [
            { moment: '2026-11-25T01:00:00Z', completedAt: '2026-11-25T01:01:00Z' },
            { moment: '2026-11-25T02:00:00Z', completedAt: '2026-11-25T02:01:00Z' },
          ],
          new Date('2026-11-25T03:00:00Z'),
        ),
        drills: [
          {
            stamp: '20261125T023000Z',
            point: 'hb-orders-20261125T020000Z',
            completedAt: '2026-11-25T02:31:00Z',
            result: 'failed',
            restoreSeconds: null,
            durationSeconds: 50,
            problem: 'a|b <img src=x>',
          },
        ],
        problems: [],
      },
    ],
    switches: [
      {
        at: '2026-11-25T02:40:00Z',
        site: 'west',
        epoch: 2,
        role: 'primary',
        reason: 'failover (emergency)',
        rtoSeconds: 95,
        served: [{ service: 'orders', restorePoint: 'hb-orders-20261125T020000Z', rpoSeconds: 2340 }],
      },
    ],
  };

  it('HTML: one self-contained page, every text escaped, charts inline', () => {
    const html = renderHtml(data);
    expect(html).not.toMatch(/<script|<img|<link|<iframe|href="http|@import|url\(/i);
    expect(html).toContain('west: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(html).toContain('a|b &lt;img src=x&gt;');
    expect(html).toContain('aria-label="RPO of orders over time"');
    expect(html).toContain('<td class="num">39 min</td><td class="num">95 s</td>');
    expect(html).toContain('2026-11-25T02:00:00Z');
  });

  it('Markdown: tables whose cells cannot break the table', () => {
    const md = renderMarkdown(data);
    expect(md).toContain('| 2026-11-25T02:31:00Z | hb-orders-20261125T020000Z | FAILED | — | a\\|b &lt;img src=x&gt; |');
    expect(md).toContain('| 2026-11-25T02:40:00Z | 2 | west | primary | failover (emergency) | 95 s | orders: 39 min |');
    expect(md).toContain('- RPO now: 60 min; worst since the first point kept: 61 min.');
    expect(md).toContain('- **WARNING**: west: &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  });

  it('says durations and sizes in units people read', () => {
    expect([duration(45), duration(720), duration(3 * 3600 + 1800), duration(3 * 86_400)]).toEqual(['45 s', '12 min', '3.5 h', '3.0 d']);
    expect([size(512), size(5 * 1024 ** 2), size(3.5 * 1024 ** 4)]).toEqual(['512 B', '5.0 MiB', '3.5 TiB']);
  });
});
