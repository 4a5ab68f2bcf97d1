// The tables: queues, fetchers, recent failures, batches with progress bars.

import { el, num, setRows } from './dom.js';

const QUEUE_STATES = ['available', 'scheduled', 'running', 'retryable', 'completed', 'discarded', 'cancelled'];
const FINAL_STATES = ['completed', 'discarded', 'cancelled'];
const MAX_FAILURES = 50;
const MAX_BATCHES = 30;

/** Queue depth by kind and state (a tick's "queues", as GET /v1/queues). */
export function renderQueues(tbody, queues) {
  setRows(tbody, (queues || []).map((q) => {
    const counts = q.counts || {};
    return el('tr', { 'data-kind': q.kind },
      el('td', {}, q.kind, q.handled === false ? el('span', { class: 'tag warn' }, 'no handler') : null),
      QUEUE_STATES.map((s) => el('td', { class: 'n' }, num(counts[s] || 0))));
  }));
}

/**
 * Each fetcher of the node (its host shards, and its fetches in flight and queued where the tick
 * has them per fetcher), then the node's totals.
 */
export function renderFetchers(tbody, fetchers, fetches) {
  const cells = (name, shards, inFlight, queued) => [el('td', {}, name), el('td', { class: 'n' }, num(shards)),
    el('td', { class: 'n' }, num(inFlight)), el('td', { class: 'n' }, num(queued))];
  const rows = (fetchers || []).map((f) => el('tr', { 'data-fetcher': f.id },
    cells(f.id, f.shards, f.inFlight, f.queued)));
  const f = fetches || {};
  rows.push(el('tr', { class: 'total' }, cells('this node', undefined, f.inFlight, f.queued)));
  setRows(tbody, rows);
}

/** The last failed attempts heard of, newest first. */
export class Failures {
  constructor(tbody, empty) {
    this.tbody = tbody;
    this.empty = empty;
    this.rows = [];
  }

  add(failures) {
    const at = new Date().toLocaleTimeString();
    for (const f of failures || []) {
      this.rows.unshift(el('tr', { 'data-state': f.state },
        el('td', {}, at), el('td', { class: 'n' }, f.id), el('td', {}, f.kind), el('td', { class: 'n' }, f.attempt),
        el('td', {}, el('span', { class: `tag ${f.state === 'discarded' ? 'bad' : 'warn'}` }, f.state)),
        el('td', {}, f.errorKind), el('td', { class: 'error', title: f.error }, f.error)));
    }
    this.rows.length = Math.min(this.rows.length, MAX_FAILURES);
    setRows(this.tbody, this.rows);
    this.empty.hidden = this.rows.length > 0;
  }
}

/** Batches heard of (enqueued here or by anyone), in progress first, with progress bars. */
export class Batches {
  constructor(tbody, empty) {
    this.tbody = tbody;
    this.empty = empty;
    this.batches = new Map(); // id -> {id, total, counts, done, seen}
  }

  /** A batch heard of (an enqueue, an attempt) before its first totals arrive. */
  heard(id, total) {
    if (id && !this.batches.has(id)) {
      this.batches.set(id, { id, total: total || 0, counts: {}, done: false, seen: Date.now() });
      this.render();
    }
  }

  /** A batch event: {id, total, counts, done}. */
  update(batch) {
    if (batch && batch.id) {
      this.batches.set(batch.id, { ...batch, counts: batch.counts || {}, seen: Date.now() });
      this.render();
    }
  }

  render() {
    const all = [...this.batches.values()].sort((a, b) => (a.done - b.done) || (b.seen - a.seen));
    for (const old of all.slice(MAX_BATCHES)) {
      this.batches.delete(old.id);
    }
    setRows(this.tbody, all.slice(0, MAX_BATCHES).map(row));
    this.empty.hidden = all.length > 0;
  }
}

function row(b) {
  const total = b.total || 0;
  const finished = FINAL_STATES.reduce((n, s) => n + (b.counts[s] || 0), 0);
  const bar = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total,
    'aria-valuenow': finished });
  for (const s of FINAL_STATES) {
    const part = el('span', { class: `part ${s}`, title: `${s} ${b.counts[s] || 0}` });
    part.style.width = total > 0 ? `${(100 * (b.counts[s] || 0)) / total}%` : '0%';
    bar.append(part);
  }
  const states = Object.entries(b.counts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(' · ');
  return el('tr', { 'data-batch': b.id, 'data-done': b.done ? 'true' : 'false' },
    el('td', { class: 'id', title: b.id }, b.id.slice(0, 8), b.done ? el('span', { class: 'tag ok' }, 'done') : null),
    el('td', { class: 'progress' }, bar),
    el('td', { class: 'n count' }, `${finished} / ${total}`),
    el('td', { class: 'states' }, states || 'waiting for its first counts'));
}
