// Hand-rolled SVG charts (no dependencies): grouped bars and line/step charts with a log or linear
// x axis. Pure functions from data to an SVG string; sizes in SVG user units (pixels).

export const PALETTE: Record<string, string> = {
  loraledger: '#2563eb',
  'naive-merged': '#ea580c',
  'llama.cpp': '#16a34a',
};
const FALLBACK = ['#7c3aed', '#db2777', '#0891b2', '#65a30d'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export const colorOf = (name: string, i: number): string => PALETTE[name] ?? FALLBACK[i % FALLBACK.length]!;

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Short number labels: 1234 -> 1.2k, 0.5 -> 0.5. */
export function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 10 || a === 0) return `${Math.round(v)}`;
  return `${+v.toPrecision(2)}`;
}

/** About `count` round tick values; the last one is >= hi so the top tick can bound the plot. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  const end = Math.ceil(hi / step - 1e-9) * step;
  for (let v = Math.floor(lo / step + 1e-9) * step; v <= end + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

const logTicks = (lo: number, hi: number): number[] => {
  const out: number[] = [];
  const mantissas = Math.log10(hi / lo) > 3 ? [1] : [1, 2, 5]; // wide ranges: decades only
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  return out;
};

interface Frame {
  w: number;
  h: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}
const FRAME: Frame = { w: 780, h: 400, left: 72, right: 210, top: 48, bottom: 56 };

function header(f: Frame, title: string, subtitle?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f.w}" height="${f.h}" viewBox="0 0 ${f.w} ${f.h}" ${FONT} font-size="12">`,
    `<rect width="${f.w}" height="${f.h}" fill="#ffffff"/>`,
    `<text x="${f.left}" y="22" font-size="16" font-weight="600" fill="#111827">${esc(title)}</text>`,
    subtitle ? `<text x="${f.left}" y="39" fill="#6b7280">${esc(subtitle)}</text>` : '',
  ].join('\n');
}

interface LegendEntry {
  name: string;
  color?: string;
  dashed?: boolean;
}

function legend(f: Frame, entries: LegendEntry[]): string {
  const x = f.w - f.right + 16;
  return entries
    .map((e, i) => {
      const color = e.color ?? colorOf(e.name, i);
      const yy = f.top + i * 20;
      const mark = e.dashed
        ? `<line x1="${x}" x2="${x + 14}" y1="${yy + 6}" y2="${yy + 6}" stroke="${color}" stroke-width="2.2" stroke-dasharray="4 3"/>`
        : `<rect x="${x}" y="${yy}" width="12" height="12" rx="2" fill="${color}"/>`;
      return `${mark}<text x="${x + 20}" y="${yy + 10}" fill="#111827">${esc(e.name)}</text>`;
    })
    .join('\n');
}

function axes(f: Frame, xLabel: string, yLabel: string): string {
  const x0 = f.left,
    y0 = f.h - f.bottom,
    x1 = f.w - f.right;
  return [
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#374151"/>`,
    `<line x1="${x0}" y1="${f.top}" x2="${x0}" y2="${y0}" stroke="#374151"/>`,
    `<text x="${(x0 + x1) / 2}" y="${f.h - 14}" text-anchor="middle" fill="#374151">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${(f.top + y0) / 2}) rotate(-90)" text-anchor="middle" fill="#374151">${esc(yLabel)}</text>`,
  ].join('\n');
}

function yGrid(f: Frame, ticks: number[], y: (v: number) => number, label: (v: number) => string = fmt): string {
  return ticks
    .map(
      (t) =>
        `<line x1="${f.left}" x2="${f.w - f.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e7eb"/><text x="${f.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#4b5563">${label(t)}</text>`,
    )
    .join('\n');
}

export interface BarChartInput {
  title: string;
  subtitle?: string;
  yLabel: string;
  groups: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
}

/** Grouped vertical bars, one group per category, one bar per series; missing values say "n/a". */
export function barChart(c: BarChartInput): string {
  const f = FRAME;
  const max = Math.max(
    1e-9,
    ...c.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v))),
  );
  const ticks = niceTicks(0, max * 1.1);
  const top = ticks[ticks.length - 1]!;
  const plotH = f.h - f.bottom - f.top;
  const y = (v: number): number => f.h - f.bottom - (v / top) * plotH;
  const groupW = (f.w - f.left - f.right) / Math.max(1, c.groups.length);
  const barW = Math.min(36, (groupW * 0.8) / Math.max(1, c.series.length));
  const parts = [header(f, c.title, c.subtitle), yGrid(f, ticks, y)];
  c.groups.forEach((g, gi) => {
    const gx = f.left + gi * groupW + (groupW - barW * c.series.length) / 2;
    c.series.forEach((s, si) => {
      const v = s.values[gi];
      const x = gx + si * barW;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        parts.push(
          `<text x="${x + barW / 2}" y="${f.h - f.bottom - 4}" text-anchor="middle" font-size="9" fill="#9ca3af">n/a</text>`,
        );
        return;
      }
      parts.push(
        `<rect x="${x + 1}" y="${y(v)}" width="${barW - 2}" height="${f.h - f.bottom - y(v)}" fill="${colorOf(s.name, si)}"><title>${esc(`${s.name} / ${g}: ${v.toFixed(1)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${x + barW / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10" fill="#111827">${fmt(v)}</text>`,
      );
    });
    parts.push(
      `<text x="${f.left + gi * groupW + groupW / 2}" y="${f.h - f.bottom + 16}" text-anchor="middle" fill="#111827">${esc(g)}</text>`,
    );
  });
  parts.push(
    axes(f, '', c.yLabel),
    legend(
      f,
      c.series.map((s) => ({ name: s.name })),
    ),
    '</svg>',
  );
  return parts.join('\n');
}

export interface LineChartInput {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<[number, number]>; color?: string; dashed?: boolean }>;
  xLog?: boolean;
  /** Fixed y range (e.g. [0, 1] for CDFs); default [0, max * 1.1]. */
  yRange?: [number, number];
  /** Draw as a step function (CDFs) instead of straight segments with markers. */
  step?: boolean;
  yFormat?: (v: number) => string;
}

export function lineChart(c: LineChartInput): string {
  const f = FRAME;
  const pts = c.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!c.xLog || x > 0));
  const xs = pts.map((p) => p[0]);
  let xlo = xs.length ? Math.min(...xs) : 1,
    xhi = xs.length ? Math.max(...xs) : 10;
  if (xhi <= xlo) xhi = xlo + 1;
  const [ylo, yhi0] = c.yRange ?? [0, Math.max(1e-9, ...pts.map((p) => p[1])) * 1.1];
  const yTicks = niceTicks(ylo, yhi0);
  const yhi = c.yRange ? yhi0 : yTicks[yTicks.length - 1]!;
  const xTicks = c.xLog ? logTicks(xlo, xhi) : niceTicks(Math.min(0, xlo), xhi);
  if (!c.xLog) {
    xlo = xTicks[0]!;
    xhi = Math.max(xhi, xTicks[xTicks.length - 1]!);
  }
  const plotW = f.w - f.left - f.right,
    plotH = f.h - f.top - f.bottom;
  const x = (v: number): number =>
    f.left + (c.xLog ? Math.log(v / xlo) / Math.log(xhi / xlo) : (v - xlo) / (xhi - xlo)) * plotW;
  const y = (v: number): number => f.h - f.bottom - ((v - ylo) / (yhi - ylo)) * plotH;
  const parts = [header(f, c.title, c.subtitle), yGrid(f, yTicks, y, c.yFormat)];
  for (const t of xTicks)
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${f.top}" y2="${f.h - f.bottom}" stroke="#f3f4f6"/><text x="${x(t)}" y="${f.h - f.bottom + 16}" text-anchor="middle" fill="#4b5563">${fmt(t)}</text>`,
    );
  c.series.forEach((s, si) => {
    const p = s.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py) && (!c.xLog || px > 0));
    if (p.length === 0) return;
    const color = s.color ?? colorOf(s.name, si);
    let d = `M${x(p[0]![0]).toFixed(1)},${y(c.step ? 0 : p[0]![1]).toFixed(1)}`;
    for (const [px, py] of p)
      d += c.step ? ` H${x(px).toFixed(1)} V${y(py).toFixed(1)}` : ` L${x(px).toFixed(1)},${y(py).toFixed(1)}`;
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="2.2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    if (!c.step)
      for (const [px, py] of p)
        parts.push(
          `<circle cx="${x(px)}" cy="${y(py)}" r="4" fill="${color}"><title>${esc(`${s.name}: ${fmt(px)} -> ${py.toFixed(1)}`)}</title></circle>`,
        );
  });
  parts.push(axes(f, c.xLabel, c.yLabel), legend(f, c.series), '</svg>');
  return parts.join('\n');
}
