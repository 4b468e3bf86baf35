/// <reference lib="dom" />
// The live loss chart (browser code): training loss as a line and validation loss as a dashed line
// with points, against the step, drawn as inline SVG into the page's <svg viewBox="0 0 W H">.

export interface LossPoint {
  step: number;
  loss: number;
}

const NS = 'http://www.w3.org/2000/svg';
const PAD = { left: 48, right: 14, top: 12, bottom: 30 };

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** 3-6 round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 4): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count + 1)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1-2-5 ticks per decade covering [lo, hi] (lo > 0), for the log scale. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of [1, 2, 5])
      if (m * 10 ** k >= lo && m * 10 ** k <= hi) out.push(Number((m * 10 ** k).toPrecision(6)));
  return out;
}

const label = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** Redraws the chart; `totalSteps` fixes the x axis while the job runs (else the last step). */
export function drawLossChart(el: SVGSVGElement, train: LossPoint[], valid: LossPoint[], totalSteps: number | null) {
  const { width: w, height: h } = el.viewBox.baseVal; // the page's viewBox, 640 x 260
  el.replaceChildren();
  el.dataset.trainPoints = String(train.length);
  el.dataset.validPoints = String(valid.length);
  const all = [...train, ...valid];
  if (all.length === 0) {
    el.append(svg('text', { x: w / 2, y: h / 2, 'text-anchor': 'middle', class: 'empty' }, 'No loss yet'));
    return;
  }
  const maxStep = Math.max(totalSteps ?? 0, ...all.map((p) => p.step), 1);
  const losses = all.map((p) => p.loss);
  let lo = Math.min(...losses);
  let hi = Math.max(...losses);
  // a loss that falls by more than 6x (the usual first steps) is drawn on a log scale
  const log = lo > 0 && hi / lo > 6;
  if (log) {
    lo /= 1.15;
    hi *= 1.15;
  } else {
    const margin = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    lo = Math.max(0, lo - margin);
    hi += margin;
  }
  const f = log ? Math.log10 : (v: number) => v;
  const x = (step: number) => PAD.left + (step / maxStep) * (w - PAD.left - PAD.right);
  const y = (loss: number) => h - PAD.bottom - ((f(loss) - f(lo)) / (f(hi) - f(lo))) * (h - PAD.top - PAD.bottom);
  el.dataset.scale = log ? 'log' : 'linear';
  if (log)
    el.append(svg('text', { x: w - PAD.right, y: PAD.top + 10, 'text-anchor': 'end', class: 'tick' }, 'log scale'));

  for (const v of log ? logTicks(lo, hi) : ticks(lo, hi)) {
    if (v < lo || v > hi) continue;
    el.append(svg('line', { x1: PAD.left, x2: w - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    el.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, label(v)));
  }
  for (const s of ticks(0, maxStep, 5)) {
    if (s > maxStep) continue;
    el.append(svg('text', { x: x(s), y: h - PAD.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, label(s)));
  }
  const bottom = h - PAD.bottom;
  el.append(svg('line', { x1: PAD.left, x2: w - PAD.right, y1: bottom, y2: bottom, class: 'axis' }));
  el.append(svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: bottom, class: 'axis' }));
  el.append(svg('text', { x: w - PAD.right, y: h - 2, 'text-anchor': 'end', class: 'tick' }, 'step'));

  const path = (pts: LossPoint[]) => pts.map((p) => `${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
  const byStep = (a: LossPoint, b: LossPoint) => a.step - b.step;
  if (train.length) el.append(svg('polyline', { points: path([...train].sort(byStep)), class: 'train-line' }));
  if (valid.length) {
    el.append(svg('polyline', { points: path([...valid].sort(byStep)), class: 'valid-line' }));
    for (const p of valid) {
      const dot = svg('circle', { cx: x(p.step), cy: y(p.loss), r: 3.5, class: 'valid-point' });
      dot.append(svg('title', {}, `step ${p.step}: validation loss ${p.loss.toFixed(4)}`));
      el.append(dot);
    }
  }
}
