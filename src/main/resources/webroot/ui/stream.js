// GET /v1/events read with fetch() and a ReadableStream (EventSource cannot send Authorization),
// parsed as server-sent events, reconnected with backoff.

import { headers, jsonOf } from './api.js';

const MAX_DELAY_MS = 30000;
const SILENCE_MS = 10000; // ticks come every second: this long without a byte means a dead stream

/** A stream of fanout's events; onEvent(type, data) per message, onState(state, info) on changes. */
export class EventStream {
  constructor(url, { onEvent, onState }) {
    this.url = url;
    this.onEvent = onEvent;
    this.onState = onState;
    this.generation = 0;
    this.controller = null;
  }

  /** (Re)starts the stream, e.g. after the token changed. */
  restart() {
    this.generation++;
    if (this.controller) {
      this.controller.abort();
    }
    this.run(this.generation);
  }

  async run(generation) {
    let base = 1000; // the server's retry: once a message arrived, backoff starts over from it
    let delay = base;
    while (generation === this.generation) {
      const controller = new AbortController();
      this.controller = controller;
      try {
        this.onState('connecting', {});
        const response = await fetch(this.url, {
          headers: headers({ Accept: 'text/event-stream' }), signal: controller.signal, cache: 'no-store',
        });
        if (response.status === 401 || response.status === 403) {
          // no use retrying: the page waits for another token
          this.onState('denied', { status: response.status, problem: await jsonOf(response) });
          return;
        }
        if (!response.ok || !response.body) {
          const problem = await jsonOf(response);
          throw new Error(`${response.status}${problem && problem.detail ? ': ' + problem.detail : ''}`);
        }
        this.onState('live', {});
        await this.read(response.body, controller, (retry) => {
          base = retry || base;
          delay = base;
        });
        throw new Error('the stream ended');
      } catch (e) {
        if (generation !== this.generation) {
          return;
        }
        this.onState('retrying', { error: e.name === 'AbortError' ? 'no data' : e.message, inMs: delay });
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_DELAY_MS);
      }
    }
  }

  /** Reads messages until the stream ends; calls heard(retryMs) after each message. */
  async read(body, controller, heard) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    const message = { type: '', data: [], retry: 0 };
    let rest = '';
    let silence = setTimeout(() => controller.abort(), SILENCE_MS);
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          return;
        }
        clearTimeout(silence);
        silence = setTimeout(() => controller.abort(), SILENCE_MS);
        rest += value;
        const hold = rest.endsWith('\r'); // a CR LF cut between chunks is one line end
        const lines = (hold ? rest.slice(0, -1) : rest).split(/\r\n|\r|\n/);
        rest = lines.pop() + (hold ? '\r' : '');
        for (const line of lines) {
          if (this.line(line, message)) {
            heard(message.retry);
          }
        }
      }
    } finally {
      clearTimeout(silence);
      reader.cancel().catch(() => {});
    }
  }

  /** Takes one line of the stream; true when it ended a message (which it then dispatched). */
  line(line, message) {
    if (line === '') {
      if (message.data.length > 0) {
        this.dispatch(message.type || 'message', message.data.join('\n'));
      }
      message.type = '';
      message.data = [];
      return true;
    }
    if (line.startsWith(':')) {
      return false; // a comment (keep-alive)
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      message.type = value;
    } else if (field === 'data') {
      message.data.push(value);
    } else if (field === 'retry' && /^\d+$/.test(value)) {
      message.retry = Number(value);
    }
    return false;
  }

  dispatch(type, data) {
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not ours to show
    }
    this.onEvent(type, parsed);
  }
}
