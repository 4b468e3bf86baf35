// The soak's chart: an SVG with three panels over time (seconds): server RSS (MiB), request latency
// to [DONE] (p50 and p99 of the requests that ended in each second, ms) and the event loop's p99
// delay per second (ms). Hand-drawn polylines, no dependencies.
import type { SoakResult, SoakSample } from './runSoak.ts';

interface Series {
  label: string;
  color: string;
  pick: (s: SoakSample) => number;
}

const W = 900;
const PANEL_H = 180;
const PAD = { left: 70, right: 20, top: 30, bottom: 30 };

function panel(samples: SoakSample[], y0: number, title: string, unit: string, series: Series[], tMax: number): string {
  const vals = series.flatMap((s) => samples.map(s.pick)).filter(Number.isFinite);
  const vMax = Math.max(1e-9, ...vals) * 1.1;
  const vMin = Math.min(0, ...vals);
  const x = (t: number) => PAD.left + (t / tMax) * (W - PAD.left - PAD.right);
  const y = (v: number) => y0 + PAD.top + (1 - (v - vMin) / (vMax - vMin)) * (PANEL_H - PAD.top - PAD.bottom);
  const out: string[] = [];
  out.push(`<text x="${PAD.left}" y="${y0 + 18}" font-size="14" font-weight="bold">${title}</text>`);
  out.push(
    `<line x1="${PAD.left}" y1="${y(vMin)}" x2="${W - PAD.right}" y2="${y(vMin)}" stroke="#999"/>`,
    `<line x1="${PAD.left}" y1="${y(vMin)}" x2="${PAD.left}" y2="${y(vMax)}" stroke="#999"/>`,
  );
  for (let k = 0; k <= 4; k++) {
    const v = vMin + ((vMax - vMin) * k) / 4;
    out.push(
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)} ${unit}</text>`,
    );
  }
  for (let k = 0; k <= 5; k++) {
    const t = (tMax * k) / 5;
    out.push(`<text x="${x(t)}" y="${y(vMin) + 14}" font-size="11" text-anchor="middle">${t.toFixed(0)} s</text>`);
  }
  series.forEach((s, i) => {
    const pts = samples
      .filter((p) => Number.isFinite(s.pick(p)))
      .map((p) => `${x(p.t).toFixed(1)},${y(s.pick(p)).toFixed(1)}`)
      .join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
    out.push(
      `<text x="${W - PAD.right - 150 + i * 70}" y="${y0 + 18}" font-size="12" fill="${s.color}">${s.label}</text>`,
    );
  });
  return out.join('\n');
}

export function soakChart(r: SoakResult, caption: string): string {
  const tMax = Math.max(1, ...r.samples.map((s) => s.t));
  const h = PANEL_H * 3 + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    panel(r.samples, 0, 'Server RSS', 'MiB', [{ label: 'RSS', color: '#1f77b4', pick: (s) => s.rssMB }], tMax),
    panel(
      r.samples,
      PANEL_H,
      'Request latency to [DONE] (requests ending each second)',
      'ms',
      [
        { label: 'p50', color: '#2ca02c', pick: (s) => s.latencyP50Ms },
        { label: 'p99', color: '#d62728', pick: (s) => s.latencyP99Ms },
      ],
      tMax,
    ),
    panel(
      r.samples,
      PANEL_H * 2,
      'Event-loop delay p99 per second',
      'ms',
      [{ label: 'p99', color: '#9467bd', pick: (s) => s.loopLagP99Ms }],
      tMax,
    ),
    `<text x="${PAD.left}" y="${h - 10}" font-size="11" fill="#555">${caption.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`,
    `</svg>`,
  ].join('\n');
}
