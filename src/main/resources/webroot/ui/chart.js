// A small SVG line chart of the last few minutes, redrawn at each tick.

import { el, num, svg } from './dom.js';

const WIDTH = 480;
const HEIGHT = 140;
const LEFT = 40;
const TOP = 8;
const BOTTOM = 18;

/** A chart of series [{name, color}] over the last windowMs; add(values) once a tick. */
export class LineChart {
  constructor(container, series, windowMs = 300000) {
    this.series = series;
    this.windowMs = windowMs;
    this.points = []; // {t, values}
    this.svg = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': container.id });
    this.legend = el('p', { class: 'legend' });
    container.replaceChildren(this.svg, this.legend);
    this.draw();
  }

  /** Adds one point per series (numbers; anything else counts as 0) and redraws. */
  add(values, t = Date.now()) {
    this.points.push({ t, values: values.map((v) => (Number.isFinite(v) ? v : 0)) });
    while (this.points.length > 0 && this.points[0].t < t - this.windowMs) {
      this.points.shift();
    }
    this.draw(t);
  }

  draw(now = Date.now()) {
    // a page open for less than the window shows what it has, over at least a minute
    const span = Math.min(this.windowMs, Math.max(60000, this.points.length > 0 ? now - this.points[0].t : 0));
    const max = niceCeiling(Math.max(1, ...this.points.flatMap((p) => p.values)));
    const x = (t) => LEFT + ((t - (now - span)) / span) * (WIDTH - LEFT - 4);
    const y = (v) => TOP + (1 - v / max) * (HEIGHT - TOP - BOTTOM);
    const nodes = [];
    for (const v of [0, max / 2, max]) {
      nodes.push(svg('line', { x1: LEFT, x2: WIDTH - 4, y1: y(v), y2: y(v), class: 'grid' }));
      nodes.push(svg('text', { x: LEFT - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, num(v)));
    }
    const ago = span >= 120000 ? `${Math.round(span / 60000)} min ago` : `${Math.round(span / 1000)} s ago`;
    nodes.push(svg('text', { x: LEFT, y: HEIGHT - 4, class: 'axis' }, ago));
    nodes.push(svg('text', { x: WIDTH - 4, y: HEIGHT - 4, class: 'axis', 'text-anchor': 'end' }, 'now'));
    this.series.forEach((s, i) => {
      const path = this.points.map((p) => `${x(p.t).toFixed(1)},${y(p.values[i]).toFixed(1)}`).join(' ');
      nodes.push(svg('polyline', { points: path, stroke: s.color, class: 'series' }));
    });
    this.svg.replaceChildren(...nodes);
    const last = this.points.length > 0 ? this.points[this.points.length - 1].values : [];
    this.legend.replaceChildren(...this.series.map((s, i) => el('span', { class: 'key' },
      svg('svg', { viewBox: '0 0 10 10', width: 10, height: 10, class: 'swatch' },
        svg('rect', { width: 10, height: 10, fill: s.color })),
      `${s.name} ${num(last[i])}`)));
  }
}

/** 1, 2 or 5 times a power of ten, at least n. */
function niceCeiling(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= n) {
      return step * power;
    }
  }
  return 10 * power;
}
