// Small DOM helpers shared by the pages: building elements, form fields with
// labels and error slots, showing server problems (on the form field named by
// the problem's JSON pointer), tables, paging, dialogs and notices.
//
// Text is always set with textContent (never innerHTML), so data from the
// server cannot inject markup.

import { t, has } from './i18n.js';
import { ApiError, isAbort } from './api.js';

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// h('button', { class: 'btn', onclick: fn, 'aria-label': 'x' }, 'text', child...)
// Attributes: class, text, dataset {}, on<event> functions, boolean
// properties (disabled, required, checked, selected, hidden, open),
// value, and anything else as an attribute.  Children may be strings,
// nodes, arrays, null or false.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (['disabled', 'required', 'checked', 'selected', 'hidden', 'open', 'multiple', 'readOnly'].includes(k)) el[k] = !!v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// ---- forms ----

// A labelled control with a hint and an error slot:
//   field({ name, label, type: 'text'|'password'|'email'|'number'|'select'|'textarea',
//           value, required, options: [[value, label]], hint, autocomplete, ...attrs })
export function field(opts) {
  const { name, label, type = 'text', value, options, hint, ...rest } = opts;
  const id = nextId(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  let control;
  if (type === 'select') {
    control = h('select', { id, name, ...rest },
      (options || []).map(([v, l]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, l)));
  } else if (type === 'textarea') {
    control = h('textarea', { id, name, ...rest });
    if (value !== undefined && value !== null) control.value = value;
  } else {
    control = h('input', { id, name, type, ...rest });
    if (value !== undefined && value !== null) control.value = value;
  }
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: id }, label, rest.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errId, hidden: true }));
}

// The form's values as an object (strings; empty inputs omitted unless keepEmpty).
export function formValues(form, keepEmpty = false) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    const s = typeof v === 'string' ? v.trim() : v;
    if (s === '' && !keepEmpty) continue;
    out[k] = s;
  }
  return out;
}

export function clearFormErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
  for (const el of form.querySelectorAll('.field.has-error')) el.classList.remove('has-error');
  form.querySelector(':scope > .form-alert')?.remove();
}

// The control a problem's `field` names: "/name_en" or "name_en" ->
// [name="name_en"]; "/lines/2/qty" -> [name="lines.2.qty"] or else [name="lines"].
export function controlFor(form, pointer) {
  if (!pointer) return null;
  const parts = pointer.replace(/^\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    const el = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  return null;
}

// Shows an error on a form: the message in an alert at the top, and, when the
// problem names a field of this form, on that field (aria-invalid, focused).
export function showFormError(form, err) {
  clearFormErrors(form);
  const msg = problemMessage(err);
  const box = h('div', { class: 'alert alert-error form-alert', role: 'alert' }, msg);
  form.prepend(box);
  const ctl = err instanceof ApiError ? controlFor(form, err.field) : null;
  if (ctl) {
    ctl.setAttribute('aria-invalid', 'true');
    const wrap = ctl.closest('.field');
    wrap?.classList.add('has-error');
    const slot = wrap?.querySelector('.field-error');
    if (slot) { slot.textContent = err.detail || msg; slot.hidden = false; }
    ctl.focus();
  } else {
    box.tabIndex = -1;
    box.focus();
  }
}

// Runs fn(values) when the form is submitted: the submit button is disabled
// meanwhile, errors are shown on the form, and the form is reset on success
// unless keep is set.  fn may return false to keep the values.
export function onSubmit(form, fn, { keep = false } = {}) {
  // The browser's own validation bubbles speak the browser's language, not
  // the page's: the server's problems (and the page's checks) are shown instead.
  form.noValidate = true;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    const buttons = [...form.querySelectorAll('button[type="submit"]')];
    buttons.forEach((b) => { b.disabled = true; });
    form.setAttribute('aria-busy', 'true');
    try {
      const r = await fn(formValues(form), form);
      if (!keep && r !== false && form.isConnected) form.reset();
    } catch (err) {
      if (!isAbort(err) && form.isConnected) showFormError(form, err);
      if (!(err instanceof ApiError) && !isAbort(err)) console.error(err);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      form.setAttribute('aria-busy', 'false');
    }
  });
  return form;
}

// ---- problems ----

// Text for an error: the translated status title, then the server's detail
// (the server speaks English; the few problems whose wording the dashboard
// knows, such as wrong password and throttling, are translated).
export function problemMessage(err) {
  if (!(err instanceof ApiError)) {
    return t('error.network');
  }
  if (err.type === 'local') return err.detail;
  const key = `problem.${err.type}`;
  if (err.type && has(key)) {
    return t(key, { seconds: err.retryAfter ?? '?' });
  }
  const titleKey = `status.${err.status}`;
  const title = has(titleKey) ? t(titleKey) : t('status.other', { status: err.status });
  return err.detail ? `${title}: ${err.detail}` : title;
}

export function alertBox(err) {
  return h('div', { class: 'alert alert-error', role: 'alert' }, problemMessage(err));
}

// ---- notices ----

export function notify(message, kind = 'ok') {
  const region = document.getElementById('toasts');
  if (!region) return;
  const el = h('div', { class: `toast toast-${kind}` }, message);
  region.append(el);
  setTimeout(() => el.remove(), 6000);
}

// ---- tables ----

// table({ caption, columns: [{ label, render(row) -> node|string, class }], rows, empty })
export function table({ caption, columns, rows, empty, rowAttrs }) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data' },
      caption ? h('caption', { class: 'sr-only' }, caption) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {},
        columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.render(r))))))));
}

// ---- paging by cursor ----

// Keeps the cursors of the pages before the current one, per list, so that
// "previous" works; the current cursor lives in the hash (#/orgs?cursor=..).
const trails = new Map();

// pager({ key, cursor, nextCursor, go(cursor) }): previous / first / next.
export function pager({ key, cursor, nextCursor, go }) {
  let trail = trails.get(key) || [];
  // Reached a page not from this trail (reload, typed URL): start over.
  if (!cursor) trail = [];
  else if (trail[trail.length - 1] !== cursor) trail = [...trail.filter((c) => c !== cursor), cursor];
  trails.set(key, trail);
  const prev = trail.length >= 2 ? trail[trail.length - 2] : null;
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    cursor ? h('button', {
      type: 'button', class: 'btn btn-secondary', dataset: { act: 'prev' },
      onclick: () => { trails.set(key, trail.slice(0, -1)); go(prev); },
    }, t('pager.previous')) : null,
    cursor && prev ? h('button', {
      type: 'button', class: 'btn btn-link', dataset: { act: 'first' },
      onclick: () => { trails.set(key, []); go(null); },
    }, t('pager.first')) : null,
    nextCursor ? h('button', {
      type: 'button', class: 'btn btn-secondary', dataset: { act: 'next' },
      onclick: () => go(nextCursor),
    }, t('pager.next')) : null);
}

// ---- dialogs ----

// A modal <dialog> with a form: resolves to the form's values on confirm, or
// null on cancel / Escape.  fields are nodes from field().
export function dialog({ title, message, fields = [], confirm, danger = false, validate }) {
  return new Promise((resolve) => {
    const titleId = nextId('dlg');
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', { id: titleId }, title),
      message ? h('p', {}, message) : null,
      fields,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn', value: 'ok' }, confirm),
        h('button', { type: 'button', class: 'btn btn-secondary', value: 'cancel', onclick: () => dlg.close('cancel') }, t('common.cancel'))));
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId }, form);
    let values = null;
    form.addEventListener('submit', (ev) => {
      const v = formValues(form, true);
      const problem = validate ? validate(v) : null;
      if (problem) {
        ev.preventDefault();
        showFormError(form, problem);
        return;
      }
      values = v;
    });
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(dlg.returnValue === 'ok' ? values : null);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

export async function confirmDialog(opts) {
  return (await dialog(opts)) !== null;
}

// A client-side problem for showFormError (same shape as the server's).
export function localProblem(detail, field) {
  return new ApiError(400, { type: 'local', title: '', detail, field });
}

// ---- small bits ----

export function orgNameCell(names, href) {
  return h('div', { class: 'name-pair' },
    href ? h('a', { href }, names.primary) : h('span', { class: 'primary' }, names.primary),
    names.secondary ? h('span', { class: 'secondary' }, names.secondary) : null);
}

export function badge(text, kind = '') {
  return h('span', { class: `badge ${kind ? `badge-${kind}` : ''}` }, text);
}

// The page's heading block: <h1> (focus target after navigation), an
// optional line beneath and actions on the right.
export function pageHeader(title, { subtitle, actions } = {}) {
  return h('div', { class: 'page-header' },
    h('div', {},
      h('h1', { tabindex: '-1' }, title),
      subtitle ? (subtitle instanceof Node ? subtitle : h('p', { class: 'subtitle' }, subtitle)) : null),
    actions ? h('div', { class: 'page-actions' }, actions) : null);
}

// A titled block of a page.
export function section(title, ...children) {
  const id = nextId('sec');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), children);
}
