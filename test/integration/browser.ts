// A page opened the way a person opens a report: Debian's Chromium, headless, driven by
// playwright-core. What the console said, every request the page made, its text, and a screenshot.
import { chromium } from 'playwright-core';

export interface Rendered {
  consoleErrors: string[];
  /** Every request but the page's own file. */
  requests: string[];
  text: string;
  /** The accessible names of its charts (svg aria-label). */
  charts: string[];
  /** Rows of the table under each h3 heading: heading → rows of cell texts. */
  tables: Record<string, string[][]>;
}

export async function render(file: string, screenshot: string): Promise<Rendered> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // As root, and with no background traffic of Chromium's own to a network this machine does not have.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const url = `file://${file}`;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: screenshot, fullPage: true });
    // biome-ignore lint/performance/useDomNodeTextContent: the text as a reader sees it (no script or style text)
    const text = await page.innerText('body');
    const charts = await page.$$eval('svg', (all) => all.map((s) => s.getAttribute('aria-label') ?? ''));
    const tables = await page.$$eval('h3', (hs) =>
      Object.fromEntries(
        hs.map((h) => {
          let n = h.nextElementSibling;
          while (n && n.tagName !== 'TABLE' && n.tagName !== 'H3') n = n.nextElementSibling;
          const rows =
            n?.tagName === 'TABLE'
              ? [...n.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => (td.textContent ?? '').trim()))
              : [];
          return [h.textContent ?? '', rows];
        }),
      ),
    );
    return { consoleErrors, requests, text, charts, tables };
  } finally {
    await browser.close();
  }
}
