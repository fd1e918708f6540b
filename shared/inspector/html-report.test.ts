import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Redis from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoKeyspace } from './demo';
import { htmlReportCsp, renderHtmlReport } from './html-report';
import { inspectRedis } from './inspect';
import { SpawnedRedis, startRedis } from './redis-process';
import type { InspectReport } from './report';

/**
 * The HTML report of a real redis-server (started here on a free port) whose key names try to inject markup:
 * the file is checked as text and then opened in Debian's Chromium, which must show the names as text.
 */
const scriptName = '<script>alert(1)</script>';
const imgName = '"><img src=x onerror=alert(1)>';
const binaryPrefix = Buffer.from([0x00, 0xff, 0x3a]);
const artifactDir = path.resolve(__dirname, '..', '..', 'test-artifacts', 'inspect');
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let redis: SpawnedRedis;
let report: InspectReport;
let html: string;
let scratch: string;

async function seedHostileNames(url: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    const pipeline = client.pipeline();
    // 80 keys of one prefix written with the same TTL: an expiry cliff whose prefix is markup.
    for (let i = 0; i < 80; i += 1) pipeline.set(`${scriptName}:${i}`, 'v', 'EX', 900);
    for (let i = 0; i < 20; i += 1) pipeline.set(`${imgName}:${i}`, 'v');
    // Large values, so these names also appear in the big-keys tables.
    pipeline.set(`${imgName}:blob`, 'x'.repeat(400_000));
    pipeline.set(scriptName, 'x'.repeat(300_000));
    for (let i = 0; i < 10; i += 1) pipeline.set(Buffer.concat([binaryPrefix, Buffer.from(String(i))]), 'v');
    pipeline.set(Buffer.concat([binaryPrefix, Buffer.from('blob')]), 'x'.repeat(350_000));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
    // Lookups of a client: 30 hits and 10 misses, so the hit ratio is a known 75%.
    for (let i = 0; i < 30; i += 1) await client.get(`price:${i}`);
    for (let i = 0; i < 10; i += 1) await client.get(`price:missing:${i}`);
  } finally {
    client.disconnect();
  }
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cachescope-html-'));
  redis = await startRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
  await seedDemoKeyspace(redis.url);
  await seedHostileNames(redis.url);
  report = await inspectRedis({ url: redis.url, delimiter: ':', depth: 2, sortBy: 'memory' });
  html = renderHtmlReport(report);
});

afterAll(async () => {
  await redis?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('renderHtmlReport', () => {
  it('the report itself holds the hostile names, so the escaping below is really exercised', () => {
    const prefixes = report.prefixes.map((node) => node.prefix.text);
    expect(prefixes).toEqual(expect.arrayContaining([`${scriptName}:`, `${imgName}:`, '\\x00\\xff:']));
    expect(report.cliffs.map((cliff) => cliff.prefix.text)).toEqual(expect.arrayContaining(['price:', `${scriptName}:`]));
    expect(report.bigKeys.byMemory.map((key) => key.key.text)).toEqual(expect.arrayContaining([scriptName, `${imgName}:blob`, '\\x00\\xff:blob']));
  });

  it('is one self-contained page with a strict CSP and no markup from key names', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${htmlReportCsp}">`);
    expect(htmlReportCsp).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    const tags = html.match(/<[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(200);
    expect(tags.filter((tag) => /onerror|src=|href=|url\(/i.test(tag))).toEqual([]);
    expect(html).not.toMatch(/https?:/i);
    // Neither the NUL nor the invalid byte reaches the file; they are shown as \xNN text.
    expect(html).not.toMatch(/[\u0000\ufffd]/);
    expect(html).toContain('\\x00\\xff:blob');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;:');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;:blob');
  });

  it('shows the seeded prefixes, the cliffs, the charts and the problems', () => {
    for (const prefix of ['session:', 'product:', 'price:', 'ratelimit:', 'user:', 'user:profile:', 'leaderboard:', 'catalog:']) expect(html).toContain(`<code>${prefix}</code>`);
    const cliffs = html.slice(html.indexOf('<section id="cliffs">'), html.indexOf('</section>', html.indexOf('<section id="cliffs">')));
    expect(cliffs).toContain('<code>price:</code>');
    expect(cliffs).toContain('600 of 600');
    expect(cliffs).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;:</code>');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('aria-label="memory by top-level prefix"');
    expect(html).toContain('aria-label="remaining TTL histogram per prefix"');
    expect(html).toContain('<span class="level">warn</span>');
    expect(html).toContain('expiry-cliff');
    expect(html).toContain('prefix-without-ttl');
    expect(html).toContain('<h2>Hit ratio: 75.0%</h2>');
    expect(html).toContain('30 hits</text>');
    expect(html).toContain('10 misses</text>');
  });

  it('renders in Chromium as text only: no dialog, no request, the names readable; saves a screenshot', async () => {
    const file = path.join(scratch, 'report.html');
    fs.writeFileSync(file, html);
    const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    try {
      for (const javaScriptEnabled of [false, true]) {
        // With JavaScript on as well: escaping and the CSP must each keep a script from running.
        const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1200, height: 900 } });
        const page = await context.newPage();
        const dialogs: string[] = [];
        const requests: string[] = [];
        page.on('dialog', (dialog) => {
          dialogs.push(dialog.message());
          void dialog.dismiss();
        });
        page.on('request', (request) => requests.push(request.url()));
        await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
        const text = await page.locator('body').innerText();
        for (const prefix of ['session:', 'product:', 'price:', 'ratelimit:', `${scriptName}:`, `${imgName}:`, '\\x00\\xff:']) expect(text).toContain(prefix);
        expect(await page.locator('script, img, iframe, object, embed, [onerror]').count()).toBe(0);
        expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(4);
        expect(dialogs).toEqual([]);
        expect(requests).toEqual([pathToFileURL(file).href]);
        if (!javaScriptEnabled) {
          fs.mkdirSync(artifactDir, { recursive: true });
          await page.screenshot({ path: path.join(artifactDir, 'report.png'), fullPage: true });
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
    expect(fs.statSync(path.join(artifactDir, 'report.png')).size).toBeGreaterThan(10_000);
  });
});
