import { describe, expect, it } from 'vitest';
import { renderSparkline } from './sparkline';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function polylines(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((match) =>
    match[1].split(' ').map((pair) => {
      const [x, y] = pair.split(',').map(Number);
      return { x, y };
    }),
  );
}

describe('renderSparkline', () => {
  it('draws every value as one polyline, oldest left, with the hooks and the accessible name', () => {
    const svg = renderSparkline([0.5, 0.75, 1], { series: 'hit-ratio', label: 'Hit ratio', width: 160, height: 36, format: percent });
    expect(svg).toMatch(/^<svg class="sparkline" data-series="hit-ratio" data-points="3" data-last="1"/);
    expect(svg).toContain('aria-label="Hit ratio: last 100.0%"');
    expect(svg).toContain('role="img"');
    const [line] = polylines(svg);
    expect(line).toHaveLength(3);
    expect(line[0].x).toBeLessThan(line[1].x);
    expect(line[1].x).toBeLessThan(line[2].x);
    // Higher values are higher up (smaller y); everything stays inside the viewBox.
    expect(line[0].y).toBeGreaterThan(line[1].y);
    expect(line[1].y).toBeGreaterThan(line[2].y);
    for (const point of line) {
      expect(point.x).toBeGreaterThanOrEqual(0);
      expect(point.x).toBeLessThanOrEqual(160);
      expect(point.y).toBeGreaterThanOrEqual(0);
      expect(point.y).toBeLessThanOrEqual(36);
    }
    expect(svg).toMatch(/class="max"[^>]*>100\.0%<\/text>/);
    expect(svg).toMatch(/class="min"[^>]*>50\.0%<\/text>/);
  });

  it('uses the fixed scale when given, clamping values outside it', () => {
    const svg = renderSparkline([0.2, 0.4], { series: 'hit-ratio', label: 'Hit ratio', min: 0, max: 1, height: 36, format: percent });
    expect(svg).toMatch(/class="max"[^>]*>100\.0%</);
    expect(svg).toMatch(/class="min"[^>]*>0\.0%</);
    const clamped = polylines(renderSparkline([-5, 7], { series: 'x', label: 'X', min: 0, max: 1, height: 36 }))[0];
    expect(clamped[0].y).toBe(33);
    expect(clamped[1].y).toBe(3);
  });

  it('breaks the line at gaps and counts only drawn values', () => {
    const svg = renderSparkline([0.5, 0.6, null, 0.7, Number.NaN, 0.8, 0.9], { series: 'hit-ratio', label: 'Hit ratio' });
    const lines = polylines(svg);
    expect(lines.map((line) => line.length)).toEqual([2, 2]);
    // A lone value between two gaps is a dot.
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('data-points="5"');
    expect(svg).toContain('data-last="0.9"');
  });

  it('draws a flat series through the middle and an empty one with no line and no labels', () => {
    const flat = polylines(renderSparkline([3, 3, 3], { series: 'ops', label: 'Ops', height: 40 }))[0];
    expect(new Set(flat.map((point) => point.y))).toEqual(new Set([20]));

    const empty = renderSparkline([], { series: 'ops', label: 'Operations per second' });
    expect(empty).toContain('data-points="0"');
    expect(empty).toContain('data-last=""');
    expect(empty).toContain('aria-label="Operations per second: no data yet"');
    expect(empty).not.toContain('<polyline');
    expect(empty).not.toContain('<text');
  });

  it('escapes the labels and keeps the series name to safe characters', () => {
    const svg = renderSparkline([1, 2], { series: 'hit"><script>', label: 'A <b>&"label"', format: (value) => `<${value}>` });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('data-series="hitscript"');
    expect(svg).toContain('aria-label="A &lt;b&gt;&amp;&quot;label&quot;: last &lt;2&gt;"');
    expect(svg).toMatch(/>&lt;2&gt;<\/text>/);
  });
});
