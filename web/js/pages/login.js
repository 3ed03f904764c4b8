// Login.  Shows the server's refusal: wrong login or password, and
// throttling with the time to wait (Retry-After), counting down.
import { registerPage } from '../registry.js';
import { t } from '../i18n.js';
import { h, field, showFormError, clearFormErrors, formValues } from '../dom.js';
import { login } from '../session.js';
import { ApiError } from '../api.js';

let countdown = null;

registerPage({
  id: 'login',
  path: '/login',
  title: 'login.title',
  public: true,
  anonymousOnly: true,
  render(ctx) {
    const submit = h('button', { type: 'submit', class: 'btn btn-block' }, t('login.submit'));
    const form = h('form', { class: 'login-form', novalidate: true },
      field({ name: 'login', label: t('login.login'), autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false', 'data-autofocus': '' }),
      field({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true }),
      submit);

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearFormErrors(form);
      const v = formValues(form, true);
      if (!v.login || !v.password) {
        const missing = !v.login ? 'login' : 'password';
        showFormError(form, new ApiError(400, { type: 'local', detail: t('login.missing'), field: `/${missing}` }));
        return;
      }
      submit.disabled = true;
      try {
        const s = await login(v.login, v.password);
        ctx.afterLogin(s, ctx.query.get('next'));
      } catch (err) {
        if (!form.isConnected) return;
        showFormError(form, err);
        if (err instanceof ApiError && err.status === 429 && err.retryAfter) {
          holdFor(form, submit, err.retryAfter);
          return;
        }
        if (err instanceof ApiError && err.status === 401) {
          const pw = form.querySelector('[name="password"]');
          pw.value = '';
          pw.focus();
        }
      }
      submit.disabled = false;
    });

    ctx.el.append(h('div', { class: 'login-wrap' },
      h('div', { class: 'login-card card' },
        h('h1', { tabindex: '-1' }, t('login.title')),
        h('p', { class: 'subtitle' }, t('login.intro')),
        form)));
  },
});

// Keeps the submit button disabled while the server throttles, with the
// seconds left shown on it.
function holdFor(form, submit, seconds) {
  if (countdown) clearInterval(countdown);
  let left = seconds;
  const label = t('login.submit');
  const tick = () => {
    if (!form.isConnected || left <= 0) {
      clearInterval(countdown);
      countdown = null;
      submit.disabled = false;
      submit.textContent = label;
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.wait', { seconds: left });
    left -= 1;
  };
  tick();
  countdown = setInterval(tick, 1000);
}
