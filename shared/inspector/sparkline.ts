/**
 * A series of numbers as a small inline SVG line chart, for places that must not run scripts (the report page,
 * a script-free webview). Only numbers and the caller's fixed labels go into the markup, and even those are
 * escaped, so the SVG can be embedded in HTML as is.
 */

export interface SparklineOptions {
  /** Machine-readable name of the series (`data-series`), lower-case letters, digits and dashes. */
  series: string;
  /** What the series is, for the accessible name ("Hit ratio"); the last value is appended. */
  label: string;
  width?: number;
  height?: number;
  /** Bounds of the vertical scale; by default the series' own minimum and maximum. */
  min?: number;
  max?: number;
  /** How a value is written in the min/max labels and the accessible name. */
  format?: (value: number) => string;
}

const xmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => xmlEntities[char]);
}

/** Coordinates with two decimals: enough for a few hundred pixels, and stable text for tests. */
function coordinate(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * Renders `values` left to right (oldest first). `null` (or a non-finite number) is a gap, e.g. an interval
 * without any lookup has no hit ratio: the line breaks there rather than inventing a value. The root element
 * carries `data-points` (how many values were drawn) and `data-last` (the newest drawn value), so a test or a
 * screen reader can read the chart without parsing it.
 */
export function renderSparkline(values: readonly (number | null)[], options: SparklineOptions): string {
  const width = options.width ?? 160;
  const height = options.height ?? 36;
  const format = options.format ?? ((value: number) => String(value));
  const labelWidth = 44;
  const plotLeft = 2;
  const plotRight = width - labelWidth;
  const plotTop = 3;
  const plotBottom = height - 3;

  const drawn = values.map((value) => (typeof value === 'number' && Number.isFinite(value) ? value : null));
  const numbers = drawn.filter((value): value is number => value !== null);
  const last = numbers.length > 0 ? numbers[numbers.length - 1] : undefined;
  const low = options.min ?? (numbers.length > 0 ? Math.min(...numbers) : 0);
  const high = options.max ?? (numbers.length > 0 ? Math.max(...numbers) : 1);
  // A flat series is drawn through the middle rather than divided by a zero range.
  const span = high - low;
  const y = (value: number) => (span > 0 ? plotBottom - ((Math.min(high, Math.max(low, value)) - low) / span) * (plotBottom - plotTop) : (plotTop + plotBottom) / 2);
  const step = drawn.length > 1 ? (plotRight - plotLeft) / (drawn.length - 1) : 0;
  const x = (index: number) => (drawn.length > 1 ? plotLeft + index * step : plotRight);

  const segments: string[][] = [];
  let current: string[] = [];
  drawn.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push(`${coordinate(x(index))},${coordinate(y(value))}`);
  });
  if (current.length > 0) segments.push(current);

  const shapes = segments.map((points) =>
    points.length === 1
      ? `<circle cx="${points[0].split(',')[0]}" cy="${points[0].split(',')[1]}" r="1.5" fill="currentColor"/>`
      : `<polyline points="${points.join(' ')}" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/>`,
  );
  const series = options.series.replace(/[^a-z0-9-]/g, '');
  const accessible = `${options.label}: ${last === undefined ? 'no data yet' : `last ${format(last)}`}`;
  const labels =
    numbers.length > 0
      ? `<text x="${coordinate(plotRight + 4)}" y="${coordinate(plotTop + 8)}" class="max" font-size="9" fill="currentColor">${escapeXml(format(high))}</text>` +
        `<text x="${coordinate(plotRight + 4)}" y="${coordinate(plotBottom)}" class="min" font-size="9" fill="currentColor">${escapeXml(format(low))}</text>`
      : '';
  return (
    `<svg class="sparkline" data-series="${series}" data-points="${numbers.length}" data-last="${last === undefined ? '' : escapeXml(String(last))}"` +
    ` role="img" aria-label="${escapeXml(accessible)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeXml(accessible)}</title>` +
    `<line x1="${plotLeft}" y1="${plotBottom}" x2="${coordinate(plotRight)}" y2="${plotBottom}" stroke="currentColor" stroke-opacity="0.25"/>` +
    shapes.join('') +
    labels +
    `</svg>`
  );
}
