// Composing a message (C3, editors): an alert, a joint statement (a draft
// until every co-signer approves, pages/statements.js) or a travel
// advisory.  The text in two languages side by side — Chinese and English,
// at least one — each becoming a CAP info block; who receives it (scope
// Public / Restricted / Private, the addressed organisations); areas from
// the area reference; urgency, severity, certainty, effective and expires
// with the usual defaults (category Health is the server's).
//
// #/alerts/new?kind=joint_statement starts with that kind;
// #/alerts/new?ref=12&type=Update|Cancel sends the next message of one of
// the organisation's own alerts, prefilled from it.
//
// The server checks everything; its problems name the field with a JSON
// pointer into what was sent (/cap/info/1/urgency, /shared_with/0,
// /areas/2), which is mapped back to the control that holds it.
import { registerPage } from '../registry.js';
import { t, lang, orgNames, countryName } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { h, field, nextId, onSubmit, pageHeader, notify, localProblem } from '../dom.js';
import * as session from '../session.js';
import {
  ALERT_KINDS, SCOPES, URGENCIES, SEVERITIES, CERTAINTIES, INFO_LANGS, css, label, loadDirectory, loadAreas,
  areaLabel, langName, capTime, localInput, rememberCap, alertTabs, headline,
} from '../alerts.js';

// CAP status values offered (System and Draft are not for people).
const STATUSES = ['Actual', 'Exercise', 'Test'];
// The fields every info block shares; the form has one control for each.
const COMMON = ['urgency', 'severity', 'certainty', 'effective', 'expires', 'category'];
const TEXT = ['event', 'headline', 'description', 'instruction'];
// Defaults by kind.  Event names are text of the message, in its language.
const DEFAULTS = {
  alert: { urgency: 'Expected', severity: 'Moderate', certainty: 'Likely', event: { en: '', zh: '' } },
  joint_statement: { urgency: 'Unknown', severity: 'Unknown', certainty: 'Unknown', event: { en: 'Joint statement', zh: '联合声明' } },
  advisory: { urgency: 'Expected', severity: 'Moderate', certainty: 'Likely', event: { en: 'Travel advisory', zh: '旅行提示' } },
};

registerPage({
  id: 'compose',
  path: '/alerts/new',
  title: 'alerts.compose.title',
  navParent: 'alerts',
  minRole: 'editor',
  async render(ctx) {
    const refId = Number(ctx.query.get('ref')) || null;
    const type = ['Update', 'Cancel'].includes(ctx.query.get('type')) ? ctx.query.get('type') : (refId ? 'Update' : null);
    const [ref, orgs, areaRef] = await Promise.all([
      refId ? api.get(`/api/v1/alerts/${refId}`, { signal: ctx.signal }) : null,
      loadDirectory(ctx.signal),
      loadAreas(),
      css(),
    ]);
    const me = session.org()?.id;
    const others = orgs.filter((o) => o.id !== me);
    const collator = new Intl.Collator(lang() === 'zh' ? 'zh-CN' : 'en');
    others.sort((a, b) => collator.compare(orgNames(a).primary, orgNames(b).primary));
    let kind = ref ? ref.kind : (ALERT_KINDS.includes(ctx.query.get('kind')) ? ctx.query.get('kind') : 'alert');

    ctx.el.append(
      pageHeader(ref ? t(type === 'Cancel' ? 'alerts.compose.cancelTitle' : 'alerts.compose.updateTitle') : t('alerts.compose.title'), {
        subtitle: ref ? h('p', { class: 'subtitle' }, t(type === 'Cancel' ? 'alerts.compose.cancelIntro' : 'alerts.compose.updateIntro'), ' ',
          h('a', { href: `#/alerts/${ref.id}` }, headline(rememberCap(ref)))) : t('alerts.compose.intro'),
      }),
      alertTabs('compose'));

    // ---- kind ----
    const kindBox = h('fieldset', { class: 'card kind-choice', disabled: !!ref },
      h('legend', {}, t('alerts.compose.kind')),
      h('div', { class: 'kind-options' }, ALERT_KINDS.map((k) => h('label', { class: 'kind-option', dataset: { kind: k } },
        h('input', { type: 'radio', name: 'kind', value: k, checked: k === kind }),
        h('span', { class: 'kind-text' }, h('strong', {}, label('kind', k)), h('span', { class: 'hint' }, t(`alerts.compose.kindHint.${k}`)))))));

    // ---- the text, two languages side by side (the reader's first) ----
    const langs = INFO_LANGS.slice().sort((a, b) => (a === lang() ? -1 : b === lang() ? 1 : 0));
    const refInfo = (l) => (ref?.cap?.info || []).find((i) => (i.language || '').toLowerCase().split('-')[0] === l) || {};
    const blocks = langs.map((l) => {
      const ri = refInfo(l);
      const hl = l === 'zh' ? 'zh-Hans' : 'en';
      return h('fieldset', { class: 'info-block', dataset: { lang: l } },
        h('legend', {}, langName(l)),
        field({ name: `info.${l}.event`, label: t('alerts.fields.event'), value: ri.event ?? DEFAULTS[kind].event[l], maxlength: 200, lang: hl, hint: t('alerts.compose.eventHint') }),
        field({ name: `info.${l}.headline`, label: t('alerts.fields.headline'), value: ri.headline, maxlength: 160, lang: hl }),
        field({ name: `info.${l}.description`, label: t('alerts.fields.description'), type: 'textarea', value: ri.description, rows: 6, maxlength: 20000, lang: hl }),
        field({ name: `info.${l}.instruction`, label: t('alerts.fields.instruction'), type: 'textarea', value: ri.instruction, rows: 3, maxlength: 5000, lang: hl }));
    });
    const textCard = h('section', { class: 'card', 'aria-labelledby': 'compose-text' },
      h('h2', { id: 'compose-text' }, t('alerts.compose.text')),
      h('p', { class: 'hint' }, t('alerts.compose.textHint')),
      h('div', { class: 'info-blocks' }, blocks));

    // ---- who receives it ----
    const scope0 = ref ? ref.scope : 'Restricted';
    const scopeField = field({
      name: 'scope', label: t('alerts.fields.scope'), type: 'select', value: scope0,
      options: SCOPES.map((s) => [s, label('scope', s)]),
    });
    const scopeHint = h('p', { class: 'hint scope-hint' });
    scopeField.querySelector('select').after(scopeHint);
    const addressees = orgPicker({
      name: 'shared_with', label: t('alerts.compose.addressees'), orgs: others,
      selected: ref?.shared_with?.filter((id) => !(ref.signers || []).some((s) => s.org_id === id)) || [],
    });
    const cosigners = orgPicker({ name: 'cosigners', label: t('alerts.compose.cosigners'), orgs: others, hint: t('alerts.compose.cosignersHint') });
    const whoCard = h('section', { class: 'card', 'aria-labelledby': 'compose-who' },
      h('h2', { id: 'compose-who' }, t('alerts.compose.who')),
      h('div', { class: 'form-grid' }, scopeField),
      addressees.el,
      cosigners.el);

    // ---- where and when ----
    const countries = areaRef.list.filter((a) => !a.subdivision)
      .sort((a, b) => collator.compare(areaLabel(a.code), areaLabel(b.code)));
    const countryOptions = [['', t('alerts.compose.chooseCountry')], ...countries.map((a) => [a.code, areaLabel(a.code)])];
    const areasPick = areaPicker({
      name: 'areas', label: t('alerts.fields.areas'), ref: areaRef,
      selected: (ref?.areas || []).filter((c) => c !== ref?.advisory?.entering),
    });
    const advisoryFields = h('div', { class: 'form-grid advisory-fields' },
      field({ name: 'citizens_of', label: t('alerts.fields.citizensOf'), type: 'select', value: ref?.advisory?.citizens_of || '', options: countryOptions, hint: t('alerts.compose.citizensHint') }),
      field({ name: 'entering', label: t('alerts.fields.entering'), type: 'select', value: ref?.advisory?.entering || '', options: countryOptions, hint: t('alerts.compose.enteringHint') }));
    const whereCard = h('section', { class: 'card', 'aria-labelledby': 'compose-where' },
      h('h2', { id: 'compose-where' }, t('alerts.compose.where')),
      advisoryFields,
      areasPick.el,
      h('div', { class: 'form-grid' },
        field({ name: 'effective', label: t('alerts.fields.effective'), type: 'datetime-local', value: localInput(ref?.effective), hint: t('alerts.compose.effectiveHint') }),
        field({ name: 'expires', label: t('alerts.fields.expires'), type: 'datetime-local', value: localInput(ref?.expires), hint: t('alerts.compose.expiresHint') })));

    // ---- CAP details ----
    const enumField = (name, values, value) => field({ name, label: t(`alerts.fields.${name}`), type: 'select', value, options: values.map((v) => [v, label(name, v)]) });
    const d0 = DEFAULTS[kind];
    const capCard = h('section', { class: 'card', 'aria-labelledby': 'compose-cap' },
      h('h2', { id: 'compose-cap' }, t('alerts.compose.capDetails')),
      h('div', { class: 'form-grid' },
        enumField('urgency', URGENCIES, ref?.urgency || d0.urgency),
        enumField('severity', SEVERITIES, ref?.severity || d0.severity),
        enumField('certainty', CERTAINTIES, ref?.certainty || d0.certainty),
        field({ name: 'status', label: t('alerts.fields.status'), type: 'select', value: ref?.status || 'Actual', options: STATUSES.map((s) => [s, label('status', s)]), hint: t('alerts.compose.statusHint') }),
        h('div', { class: 'field' },
          h('span', { class: 'field-label' }, t('alerts.fields.category')),
          h('p', { class: 'static-value' }, t('alerts.category.Health')))));

    const submit = h('button', { type: 'submit', class: 'btn', dataset: { act: 'send' } });
    const form = h('form', { class: 'compose', dataset: { form: 'compose' } },
      kindBox, textCard, whoCard, whereCard, capCard,
      h('div', { class: 'actions compose-actions' }, submit,
        h('a', { class: 'btn btn-secondary', href: ref ? `#/alerts/${ref.id}` : '#/alerts' }, t('common.cancel'))));
    ctx.el.append(form);

    // ---- what shows for which kind and scope ----
    const touched = new Set();
    for (const n of ['urgency', 'severity', 'certainty']) form.elements[n].addEventListener('change', () => touched.add(n));
    const sync = () => {
      const scope = form.elements.scope.value;
      scopeHint.textContent = t(`alerts.compose.scopeHint.${scope}`);
      addressees.setRequired(scope !== 'Public');
      addressees.setHint(t(scope === 'Public' ? 'alerts.compose.addresseesPublicHint' : 'alerts.compose.addresseesHint'));
      cosigners.el.hidden = kind !== 'joint_statement';
      advisoryFields.hidden = kind !== 'advisory';
      submit.textContent = ref ? t(type === 'Cancel' ? 'alerts.compose.sendCancel' : 'alerts.compose.sendUpdate')
        : t(`alerts.compose.submit.${kind}`);
    };
    for (const r of form.querySelectorAll('input[name="kind"]')) {
      r.addEventListener('change', () => {
        const before = DEFAULTS[kind];
        kind = r.value;
        const d = DEFAULTS[kind];
        for (const n of ['urgency', 'severity', 'certainty']) if (!touched.has(n)) form.elements[n].value = d[n];
        for (const l of INFO_LANGS) {
          const ev = form.elements[`info.${l}.event`];
          if (!ev.value.trim() || ev.value === before.event[l]) ev.value = d.event[l];
        }
        sync();
      });
    }
    form.elements.scope.addEventListener('change', sync);
    sync();

    // ---- sending ----
    onSubmit(form, async () => {
      const v = (n) => (form.elements[n]?.value || '').trim();
      if (!areasPick.flush()) throw localProblem(t('alerts.compose.unknownArea', { value: v('areas') }), '/areas');
      const filled = INFO_LANGS.filter((l) => ['headline', 'description', 'instruction'].some((f) => v(`info.${l}.${f}`)));
      if (!filled.length) throw localProblem(t('alerts.compose.needLanguage'), `/info.${langs[0]}.headline`);
      for (const l of filled) if (!v(`info.${l}.headline`)) throw localProblem(t('alerts.compose.needHeadline', { lang: langName(l) }), `/info.${l}.headline`);
      const effective = capTime(v('effective'));
      const expires = capTime(v('expires'));
      if (effective && expires && Date.parse(expires) <= Date.parse(effective)) throw localProblem(t('alerts.compose.expiresBefore'), '/expires');
      // English first: the server takes its main headline from the first English block.
      const sent = filled.slice().sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : 0));
      const info = sent.map((l) => {
        const o = { language: l, urgency: v('urgency'), severity: v('severity'), certainty: v('certainty') };
        for (const f of TEXT) if (v(`info.${l}.${f}`)) o[f] = v(`info.${l}.${f}`);
        if (effective) o.effective = effective;
        if (expires) o.expires = expires;
        return o;
      });
      const cap = { scope: v('scope'), status: v('status'), info };
      if (type) cap.msgType = type;
      const body = { kind, cap, areas: areasPick.values() };
      const to = addressees.values();
      if (to.length) body.shared_with = to;
      if (kind === 'joint_statement') body.cosigners = cosigners.values();
      if (kind === 'advisory') {
        body.citizens_of = v('citizens_of');
        body.entering = v('entering');
      }
      if (ref) body.references_alert = ref.id;
      let out;
      try {
        out = await api.post('/api/v1/alerts', body);
      } catch (err) {
        if (err instanceof ApiError && err.field) err.field = controlPointer(err.field, sent);
        throw err;
      }
      rememberCap(out);
      notify(t(out.state === 'draft' ? 'alerts.compose.drafted' : 'alerts.compose.sent'));
      ctx.navigate(`/alerts/${out.id}`);
      return false;
    }, { keep: true });
  },
});

// The control for a pointer into the body sent: /cap/info/<i>/<field> is
// the common control (urgency, …) or the field of that language's block.
function controlPointer(ptr, sentLangs) {
  let m = /^\/cap\/info\/(\d+)(?:\/(\w+))?/.exec(ptr);
  if (m) {
    const l = sentLangs[Number(m[1])] || sentLangs[0];
    if (m[2] && COMMON.includes(m[2])) return `/${m[2]}`;
    return `/info.${l}.${m[2] && TEXT.includes(m[2]) ? m[2] : 'headline'}`;
  }
  if (ptr === '/cap/info') return `/info.${sentLangs[0] || 'en'}.headline`;
  m = /^\/cap\/(\w+)/.exec(ptr);
  if (m) return `/${m[1]}`;
  return ptr;
}

// ---- pickers ----

// Organisations to choose from: a search box (named `name`, so that a
// problem about the list lands on it), the chosen ones as removable chips,
// and the matching organisations as checkboxes.
function orgPicker({ name, label: text, orgs, selected = [], hint }) {
  const chosen = new Set(selected);
  const id = nextId(`f-${name}`);
  const hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint || '');
  const req = h('span', { class: 'req', 'aria-hidden': 'true', hidden: true }, ' *');
  const search = h('input', {
    id, name, type: 'search', autocomplete: 'off', placeholder: t('alerts.compose.searchOrgs'),
    'aria-describedby': `${id}-hint ${id}-err`,
  });
  const chips = h('ul', { class: 'chips', 'aria-label': t('alerts.compose.chosen'), dataset: { chips: name } });
  const list = h('div', { class: 'pick-list', role: 'group', 'aria-label': text, dataset: { pick: name } });
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const drawChips = () => {
    chips.replaceChildren(...[...chosen].map((oid) => {
      const o = byId.get(oid);
      const n = o ? orgNames(o).primary : t('alerts.orgId', { id: oid });
      return h('li', { class: 'chip', dataset: { org: oid } }, n,
        h('button', { type: 'button', class: 'chip-remove', 'aria-label': t('alerts.compose.remove', { name: n }), onclick: () => { chosen.delete(oid); drawChips(); drawList(); } }, '×'));
    }));
    if (!chosen.size) chips.append(h('li', { class: 'chip-none' }, t('alerts.compose.noneChosen')));
  };
  const drawList = () => {
    const f = search.value.trim().toLowerCase();
    const hits = orgs.filter((o) => !f || [o.name_en, o.name_zh, o.country, countryName(o.country)].some((s) => (s || '').toLowerCase().includes(f)));
    list.replaceChildren(...hits.slice(0, 200).map((o) => h('label', { class: 'pick' },
      h('input', {
        type: 'checkbox', value: String(o.id), checked: chosen.has(o.id), dataset: { org: o.id },
        onchange: (ev) => { if (ev.target.checked) chosen.add(o.id); else chosen.delete(o.id); drawChips(); },
      }),
      h('span', { class: 'pick-name' }, orgNames(o).primary),
      h('span', { class: 'pick-country muted' }, countryName(o.country)))));
    if (!hits.length) list.append(h('p', { class: 'empty' }, t('alerts.compose.noOrgMatch')));
  };
  search.addEventListener('input', drawList);
  search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') ev.preventDefault(); });
  drawChips();
  drawList();
  const el = h('div', { class: 'field picker', dataset: { field: name } },
    h('label', { for: id }, text, req),
    chips, search, hintEl, list,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));
  return {
    el,
    values: () => [...chosen],
    setRequired: (on) => { req.hidden = !on; },
    setHint: (s) => { hintEl.textContent = s; },
  };
}

// Areas from the reference: type a name (either language) or a code and
// pick from the suggestions; the chosen ones are chips.
function areaPicker({ name, label: text, ref, selected = [] }) {
  const chosen = [...selected];
  const id = nextId(`f-${name}`);
  const listId = `${id}-list`;
  const input = h('input', {
    id, name, type: 'text', autocomplete: 'off', list: listId, placeholder: t('alerts.compose.areaPlaceholder'),
    'aria-describedby': `${id}-hint ${id}-err`,
  });
  const err = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
  const options = h('datalist', { id: listId }, ref.list.map((a) => h('option', { value: `${areaLabel(a.code)} (${a.code})` })));
  const chips = h('ul', { class: 'chips', 'aria-label': t('alerts.compose.chosen'), dataset: { chips: name } });
  const find = (s) => {
    const q = s.trim();
    if (!q) return null;
    const m = /\(([A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?)\)\s*$/.exec(q);
    const code = (m ? m[1] : q).toUpperCase();
    if (ref.byCode.has(code)) return code;
    const lower = q.toLowerCase();
    const hit = ref.list.find((a) => [a.name_en, a.name_zh, areaLabel(a.code)].some((n) => (n || '').toLowerCase() === lower));
    return hit ? hit.code : null;
  };
  const drawChips = () => {
    chips.replaceChildren(...chosen.map((code) => h('li', { class: 'chip', dataset: { area: code } }, `${areaLabel(code)} (${code})`,
      h('button', {
        type: 'button', class: 'chip-remove', 'aria-label': t('alerts.compose.remove', { name: areaLabel(code) }),
        onclick: () => { chosen.splice(chosen.indexOf(code), 1); drawChips(); },
      }, '×'))));
    if (!chosen.length) chips.append(h('li', { class: 'chip-none' }, t('alerts.compose.noAreas')));
  };
  const add = (quiet) => {
    const code = find(input.value);
    if (!code) {
      if (!quiet && input.value.trim()) {
        err.textContent = t('alerts.compose.unknownArea', { value: input.value.trim() });
        err.hidden = false;
        input.setAttribute('aria-invalid', 'true');
      }
      return;
    }
    err.hidden = true;
    input.removeAttribute('aria-invalid');
    if (!chosen.includes(code)) chosen.push(code);
    input.value = '';
    drawChips();
  };
  input.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); add(false); } });
  // Choosing a suggestion adds it at once.
  input.addEventListener('input', (ev) => { if (ev.inputType === 'insertReplacementText' || ev.inputType === undefined) add(true); });
  input.addEventListener('change', () => add(true));
  drawChips();
  const el = h('div', { class: 'field picker', dataset: { field: name } },
    h('label', { for: id }, text),
    chips,
    h('div', { class: 'area-add' }, input,
      h('button', { type: 'button', class: 'btn btn-secondary', dataset: { act: 'add-area' }, onclick: () => add(false) }, t('alerts.compose.addArea'))),
    options,
    h('p', { class: 'hint', id: `${id}-hint` }, t('alerts.compose.areasHint')),
    err);
  // Text typed but not added when the form is sent: add it, or say why not.
  const flush = () => {
    if (!input.value.trim()) return true;
    add(true);
    return !input.value.trim();
  };
  return { el, values: () => chosen.slice(), flush };
}
