import { describe, expect, it } from 'vitest';
import { liveViewCsp, renderLiveStatsHtml } from './live-html';
import type { LiveStatsSnapshot } from './live-stats';

function snapshotWith(overrides: Partial<LiveStatsSnapshot> = {}): LiveStatsSnapshot {
  return {
    target: 'redis://127.0.0.1:6400',
    state: 'live',
    takenAt: Date.parse('2026-01-01T00:00:00Z'),
    samplesTaken: 7,
    intervalMs: 2000,
    windowMs: 60_000,
    version: '7.0.15',
    sinceStart: { hits: 800, misses: 200, hitRatio: 0.8 },
    window: { seconds: 12, hits: 300, misses: 100, hitRatio: 0.75 },
    series: [
      { at: 1, hitRatio: 0.5, opsPerSec: 100 },
      { at: 2, hitRatio: null, opsPerSec: 0 },
      { at: 3, hitRatio: 0.75, opsPerSec: 250 },
    ],
    opsPerSec: 250,
    evictedKeys: 12,
    expiredKeys: 40,
    evictedPerSec: 0.5,
    expiredPerSec: 1.25,
    usedMemoryBytes: 50 * 1024 * 1024,
    maxmemoryBytes: 100 * 1024 * 1024,
    maxmemoryPolicy: 'allkeys-lru',
    ownLookupsSubtracted: { hits: 900, misses: 3 },
    counterResets: 0,
    ...overrides,
  };
}

describe('renderLiveStatsHtml', () => {
  it('shows the window ratio, the sample count and both sparklines through their stable hooks', () => {
    const html = renderLiveStatsHtml({ name: 'staging cache', snapshot: snapshotWith() });
    expect(html).toContain('<span class="big" id="live-hit-ratio">75.0%</span> hit ratio over the last 60 s');
    expect(html).toContain('<span id="live-samples">7</span>');
    expect(html).toContain('<span id="live-hit-ratio-since-start">80.0%</span> (800 hits, 200 misses)');
    expect(html).toMatch(/<svg class="sparkline" data-series="hit-ratio" data-points="2" data-last="0.75"/);
    expect(html).toMatch(/<svg class="sparkline" data-series="ops-per-sec" data-points="3" data-last="250"/);
    expect(html).toContain('50.0 MiB of 100.0 MiB (50%)');
    expect(html).toContain('Subtracted so far: 900 hits, 3 misses.');
    expect(html).toContain('The inspector&#39;s own lookups');
  });

  it('carries the strict CSP and loads or runs nothing', () => {
    const html = renderLiveStatsHtml({ name: 'x', snapshot: snapshotWith() });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${liveViewCsp}">`);
    expect(liveViewCsp).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script|\bsrc=|\bhref=|url\(/i);
  });

  it('escapes the connection name, the address and server messages', () => {
    const html = renderLiveStatsHtml({
      name: '<script>alert(1)</script>\u202e',
      snapshot: snapshotWith({ target: 'redis://"><img src=x>:1', state: 'unreachable', message: '<b>gone</b>\u001b[31m', version: '<i>7</i>' }),
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>gone');
    expect(html).not.toContain('<i>7');
    expect(html).not.toContain('\u202e');
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<p class="state unreachable" role="status">&lt;b&gt;gone&lt;/b&gt;');
  });

  it('says "measuring" before the second sample and explains an empty view', () => {
    const first = renderLiveStatsHtml({ name: 'x', snapshot: snapshotWith({ window: undefined, series: [], samplesTaken: 1 }) });
    expect(first).toContain('id="live-hit-ratio">measuring</span>');
    expect(first).toContain('data-series="hit-ratio" data-points="0"');
    const idle = renderLiveStatsHtml({ name: 'x', snapshot: snapshotWith({ window: { seconds: 10, hits: 0, misses: 0, hitRatio: null } }) });
    expect(idle).toContain('id="live-hit-ratio">no lookups</span>');
    expect(renderLiveStatsHtml({ name: 'x' })).toContain('Watch Live Stats');
  });
});
