// The user's own profile: name, e-mail, language, and a password change
// that needs the current password.  A new password ends every session of
// the user (the server's rule), so the user logs in again afterwards.
import { registerPage } from '../registry.js';
import { t, setLang, orgNames } from '../i18n.js';
import { api } from '../api.js';
import { h, field, onSubmit, pageHeader, section, notify, localProblem } from '../dom.js';
import * as session from '../session.js';
import { USER_LANGS } from '../constants.js';

registerPage({
  id: 'profile',
  path: '/profile',
  title: 'profile.title',
  nav: { order: 90, label: 'nav.profile', group: 'user' },
  async render(ctx) {
    const u = session.user();
    const o = session.org();
    ctx.el.append(pageHeader(t('profile.title'), {
      subtitle: `${u.login} · ${t(`role.${u.role}`)} · ${o ? orgNames(o).primary : ''}`,
    }));

    const details = h('form', { class: 'form-grid', dataset: { form: 'profile' } },
      field({ name: 'name', label: t('users.name'), value: u.name, required: true, maxlength: 200, autocomplete: 'name' }),
      field({ name: 'email', label: t('users.email'), type: 'email', value: u.email, maxlength: 254, autocomplete: 'email' }),
      field({ name: 'lang', label: t('users.lang'), type: 'select', value: u.lang, options: USER_LANGS.map((l) => [l, t(`lang.${l}`)]) }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('common.save'))));
    onSubmit(details, async (v) => {
      const out = await api.patch('/api/v1/me', { name: v.name || '', email: v.email || '', lang: v.lang });
      session.updateUser(out);
      notify(t('common.saved'));
      if (out.lang) setLang(out.lang);
    }, { keep: true });

    const pw = h('form', { class: 'form-grid', dataset: { form: 'password' } },
      // For password managers: which account this password belongs to.
      h('input', { type: 'text', name: 'username', autocomplete: 'username', value: u.login, hidden: true, readOnly: true, tabindex: '-1', 'aria-hidden': 'true' }),
      field({ name: 'current_password', label: t('profile.currentPassword'), type: 'password', required: true, autocomplete: 'current-password' }),
      field({ name: 'password', label: t('profile.newPassword'), type: 'password', required: true, autocomplete: 'new-password', hint: t('users.passwordHint') }),
      field({ name: 'confirm', label: t('profile.confirmPassword'), type: 'password', required: true, autocomplete: 'new-password' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('profile.changePassword'))));
    onSubmit(pw, async (v) => {
      if (!v.current_password) throw localProblem(t('profile.needCurrent'), '/current_password');
      if ((v.password || '').length < 10) throw localProblem(t('profile.tooShort'), '/password');
      if (v.password !== v.confirm) throw localProblem(t('profile.mismatch'), '/confirm');
      await api.patch('/api/v1/me', { current_password: v.current_password, password: v.password });
      // Every session of the user has ended, this one too.
      session.forget();
      ctx.navigate('/login');
      notify(t('profile.passwordChanged'));
    });

    ctx.el.append(
      section(t('profile.details'), details),
      section(t('profile.password'), pw));
  },
});
