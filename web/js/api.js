// The one way the dashboard talks to the server.
//
// JSON in and out, cookies same-origin.  Writes (anything but GET/HEAD) carry
// the session's CSRF token in X-CSRF-Token; the token comes from the login
// answer or GET /api/v1/session, and is fetched again once if the server says
// it is wrong.  A non-2xx answer becomes an ApiError carrying the RFC 9457
// problem (status, type, detail, field); a 401 on a call made while logged in
// also tells the shell that the session has ended.

export class ApiError extends Error {
  constructor(status, problem = {}, headers = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    // The last segment of the type URI: .../problems/csrf -> csrf.
    this.type = typeof problem.type === 'string' ? problem.type.replace(/^.*\//, '') : '';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    // A JSON pointer ("/name_en") or a parameter name ("cursor").
    this.field = problem.field || '';
    const ra = headers?.get('Retry-After');
    this.retryAfter = ra && /^\d+$/.test(ra) ? Number(ra) : null;
  }
}

let csrfToken = null;
const unauthorizedListeners = new Set();

export function setCsrf(token) { csrfToken = token || null; }

// fn() is called when a request made with a session answers 401.
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

function buildUrl(path, query) {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function refreshCsrf() {
  const s = await request('GET', '/api/v1/session', { retry: false });
  setCsrf(s.csrf_token);
}

// request(method, path, { body, query, signal, csrf = true, authEvent = true })
// resolves to the parsed JSON body (null for 204) or rejects with ApiError.
// An aborted request rejects with the DOMException 'AbortError'.
export async function request(method, path, opts = {}) {
  const { body, query, signal, csrf = true, authEvent = true, retry = true } = opts;
  const headers = { Accept: 'application/json, application/problem+json' };
  const write = method !== 'GET' && method !== 'HEAD';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (write && csrf && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(buildUrl(path, query), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  if (res.status === 204) return null;
  const ctype = res.headers.get('Content-Type') || '';
  let data = null;
  if (ctype.includes('json')) {
    try { data = await res.json(); } catch { data = null; }
  } else {
    const text = await res.text();
    data = text ? { detail: text } : null;
  }
  if (res.ok) return data;
  const err = new ApiError(res.status, data && typeof data === 'object' ? data : {}, res.headers);
  if (err.status === 403 && err.type === 'csrf' && write && csrf && retry) {
    await refreshCsrf();
    return request(method, path, { ...opts, retry: false });
  }
  if (err.status === 401 && authEvent) {
    for (const fn of unauthorizedListeners) fn(err);
  }
  throw err;
}

export const api = {
  get: (path, opts) => request('GET', path, opts),
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
};

export function isAbort(err) {
  return err && (err.name === 'AbortError' || err.code === 20);
}
