// Calls to fanout's API with the tab's token: entered once, kept in sessionStorage (this tab only).

const KEY = 'fanout.token';

/** The token of this tab, or '' when none was entered. */
export function token() {
  return sessionStorage.getItem(KEY) || '';
}

/** Keeps (or, given '', forgets) the tab's token. */
export function setToken(value) {
  if (value) {
    sessionStorage.setItem(KEY, value);
  } else {
    sessionStorage.removeItem(KEY);
  }
}

/** Request headers with Authorization: Bearer when the tab has a token. */
export function headers(extra = {}) {
  const all = { ...extra };
  const t = token();
  if (t) {
    all.Authorization = 'Bearer ' + t;
  }
  return all;
}

/** POSTs JSON; answers {status, ok, json} (json null when the body is not JSON). */
export async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json', Accept: 'application/json' }),
    body: JSON.stringify(body),
  });
  return { status: response.status, ok: response.ok, json: await jsonOf(response) };
}

/** The JSON body of a response, or null. */
export async function jsonOf(response) {
  try {
    return JSON.parse(await response.text());
  } catch {
    return null;
  }
}

/** One line for a problem document (RFC 9457): status, title, detail and the field it names. */
export function problemText(status, problem) {
  const p = problem && typeof problem === 'object' ? problem : {};
  let text = `${status} ${p.title || 'error'}`;
  if (p.detail) {
    text += `: ${p.detail}`;
  }
  if (p.field) {
    text += ` (field ${p.field})`;
  }
  return text;
}

/** What a 401 or 403 means on this page. */
export function accessText(status, problem) {
  const detail = problem && problem.detail ? ` — ${problem.detail}` : '';
  if (status === 401) {
    return `401: this fanout needs a token${detail}. Enter one above (kept in this tab only).`;
  }
  return `403: not allowed with this token${detail}.`;
}
