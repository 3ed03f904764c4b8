// Who is logged in: the session from POST/GET /api/v1/session ({user, org,
// csrf_token}), what their role allows the interface to offer, and logging
// in and out.
//
// The interface hides what a role cannot do, but only as a courtesy: the
// server decides, and pages show its 403 when it refuses.
//
// The session cookie is HttpOnly, so the page cannot see it.  A flag in
// localStorage remembers that a login happened, so that an anonymous visitor
// is not sent through a GET /api/v1/session that can only answer 401.

import { api, setCsrf, ApiError } from './api.js';

const FLAG = 'eb.session';
const RANK = { viewer: 1, editor: 2, admin: 3 };

let current = null;
const listeners = new Set();

function emit() { for (const fn of listeners) fn(current); }

function flag(on) {
  try {
    if (on) localStorage.setItem(FLAG, '1');
    else localStorage.removeItem(FLAG);
  } catch { /* storage disabled */ }
}

function set(s) {
  current = s ? { user: s.user, org: s.org } : null;
  setCsrf(s ? s.csrf_token : null);
  flag(!!s);
  emit();
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function session() { return current; }
export function user() { return current?.user || null; }
export function org() { return current?.org || null; }
export function loggedIn() { return !!current; }

// True when the user's role is at least minRole ('viewer' < 'editor' < 'admin').
export function can(minRole) {
  if (!current) return false;
  if (!minRole) return true;
  return (RANK[current.user.role] || 0) >= (RANK[minRole] || 99);
}

// Administrators of the operating organisation create organisations and
// administer every organisation's users.
export function isOperatorAdmin() {
  return can('admin') && !!current.org?.operator;
}

// May the user administer organisation orgId (add users, edit it)?
export function canAdminOrg(orgId) {
  return can('admin') && (current.org?.id === orgId || !!current.org?.operator);
}

// Loads the session if there may be one.  Resolves to the session or null.
export async function restore() {
  let stored = null;
  try { stored = localStorage.getItem(FLAG); } catch { /* storage disabled */ }
  if (!stored) return null;
  try {
    set(await api.get('/api/v1/session', { authEvent: false }));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    set(null);
  }
  return current;
}

export async function login(loginName, password) {
  const s = await api.post('/api/v1/session', { login: loginName, password }, { csrf: false, authEvent: false });
  set(s);
  return current;
}

export async function logout() {
  try {
    await api.del('/api/v1/session', { authEvent: false });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err; // 401: already gone
  }
  set(null);
}

// The session ended on the server (expired, password changed, disabled).
export function forget() {
  if (current) set(null);
  else flag(false);
}

// After PATCH /api/v1/me or a change to the user's own record.
export function updateUser(u) {
  if (!current || !u) return;
  current = { ...current, user: { ...current.user, ...u } };
  emit();
}
