// fanout's dashboard: live figures from GET /v1/events, and a form to enqueue fetch jobs.

import { accessText, postJson, problemText, setToken, token } from './api.js';
import { LineChart } from './chart.js';
import { num } from './dom.js';
import { EventStream } from './stream.js';
import { Batches, Failures, renderFetchers, renderQueues } from './views.js';

const $ = (id) => document.getElementById(id);

const fetchChart = new LineChart($('chart-fetches'), [
  { name: 'fetches/s', color: '#2563eb' }, { name: 'in flight', color: '#9333ea' }]);
const jobsChart = new LineChart($('chart-jobs'), [
  { name: 'completed/s', color: '#16a34a' }, { name: 'failed/s', color: '#dc2626' },
  { name: 'enqueued/s', color: '#d97706' }]);
const batches = new Batches($('batches').tBodies[0], $('batches-empty'));
const failures = new Failures($('failures').tBodies[0], $('failures-empty'));

const handlers = {
  tick(t) {
    const f = t.fetches || {};
    const j = t.jobs || {};
    fetchChart.add([f.perSecond, f.inFlight]);
    jobsChart.add([j.completedPerSecond, j.failedPerSecond, j.enqueuedPerSecond]);
    $('fetch-figures').textContent =
      `in flight ${num(f.inFlight)} · queued ${num(f.queued)} · completed since start ${num(f.completed)}`;
    renderFetchers($('fetchers').tBodies[0], t.fetchers, f);
    renderQueues($('queues').tBodies[0], t.queues);
  },
  attempts(a) {
    Object.keys(a.batches || {}).forEach((id) => batches.heard(id));
    failures.add(a.failures);
  },
  enqueued(e) {
    batches.heard(e.batch, e.count);
  },
  batch(b) {
    batches.update(b);
  },
  draining(d) {
    showStream('draining', `a worker is stopping: ${num(d.running)} jobs to finish`);
  },
};

const stream = new EventStream('/v1/events', {
  onEvent: (type, data) => handlers[type] && handlers[type](data),
  onState: (state, info) => {
    if (state === 'denied') {
      showAccess(accessText(info.status, info.problem));
      showStream('denied', `${info.status}: not allowed`);
    } else if (state === 'live') {
      showAccess('');
      showStream('live', 'live');
    } else if (state === 'retrying') {
      showStream('retrying', `disconnected (${info.error}); again in ${Math.round(info.inMs / 1000)} s`);
    } else {
      showStream(state, state);
    }
  },
});

function showStream(state, text) {
  const s = $('stream');
  s.dataset.state = state;
  s.textContent = text;
}

function showAccess(text) {
  $('access').textContent = text;
  $('access').hidden = !text;
}

function showTokenState() {
  $('token').value = '';
  $('token').placeholder = token() ? 'a token is set for this tab' : 'bearer token (when api.tokens is set)';
  $('token-forget').disabled = !token();
}

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('token').value.trim());
  showTokenState();
  stream.restart();
});

$('token-forget').addEventListener('click', () => {
  setToken('');
  showTokenState();
  stream.restart();
});

$('enqueue-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const urls = $('urls').value.split('\n').map((u) => u.trim()).filter((u) => u.length > 0);
  if (urls.length === 0) {
    answer('bad', 'Enter at least one URL.');
    return;
  }
  const maxAttempts = $('max-attempts').value ? Number($('max-attempts').value) : undefined;
  const jobs = urls.map((url) => ({ kind: 'fetch', payload: { url }, maxAttempts }));
  $('enqueue').disabled = true;
  try {
    const r = await postJson('/v1/jobs', { jobs });
    if (r.ok && r.json) {
      batches.heard(r.json.batch, (r.json.ids || []).length);
      const unhandled = (r.json.unhandled || []).length > 0
        ? `; no node handles ${r.json.unhandled.join(', ')} now: they wait for one` : '';
      answer('ok', `Batch ${r.json.batch}: ${(r.json.ids || []).length} jobs enqueued${unhandled}.`, r.json.batch);
    } else {
      if (r.status === 401 || r.status === 403) {
        showAccess(accessText(r.status, r.json));
      }
      answer('bad', problemText(r.status, r.json));
    }
  } catch (err) {
    answer('bad', `The request failed: ${err.message}`);
  } finally {
    $('enqueue').disabled = false;
  }
});

function answer(kind, text, batch) {
  const a = $('enqueue-answer');
  a.className = `answer ${kind}`;
  a.textContent = text;
  a.dataset.batch = batch || '';
  a.hidden = false;
}

showTokenState();
stream.restart();
