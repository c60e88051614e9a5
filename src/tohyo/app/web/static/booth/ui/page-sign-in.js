/**
 * Sign-in with a one-time voting code (docs/spec/booth.md §BO-1.1): the code
 * goes to `POST /api/v1/elections/{id}/sessions`; the voting session (a bearer
 * token, the voter's public credential, the expiry) is kept in the page.
 * Other methods (card, OpenID Connect) end the same way: {@link finishSignIn}.
 * @module
 */

import { request } from './api.js';
import { $, alertError, announce } from './dom.js';
import { messageFor } from './errors.js';
import { t } from './i18n.js';
import * as store from './store.js';

/**
 * Keep the session and go on: to the review page when the voter was sent here
 * to sign in again (their choices are kept), else to the ballot.
 * @param {any} data - the page's booth data
 * @param {{token: string, credential: string, expires_at: string, method?: string}} session
 */
export function finishSignIn(data, session) {
  const eid = data.election.id;
  store.save(eid, 'session', {
    token: session.token,
    credential: session.credential,
    expires_at: session.expires_at,
    method: typeof session.method === 'string' ? session.method : 'code',
  });
  const next = new URLSearchParams(location.search).get('next');
  const hasAnswers = store.load(eid, 'answers') !== null;
  location.assign(next === 'review' && hasAnswers ? data.urls.review : data.urls.ballot);
}

function fieldError(input, message) {
  const error = $('#voting-code-error');
  if (message === null) {
    error.hidden = true;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    return;
  }
  error.textContent = message;
  error.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/** @param {any} data */
export function startSignIn(data) {
  const form = document.getElementById('code-form');
  if (!(form instanceof HTMLFormElement)) return;
  const input = /** @type {HTMLInputElement} */ ($('#voting-code'));
  const button = /** @type {HTMLButtonElement} */ ($('button[type=submit]', form));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alertError(null);
    const code = input.value.trim();
    if (code === '') {
      fieldError(input, t('signin.empty'));
      return;
    }
    fieldError(input, null);
    button.disabled = true;
    announce(t('signin.busy'));
    try {
      const session = await request(`${data.urls.api}/sessions`, { method: 'POST', body: { code } });
      announce(t('signin.done'));
      finishSignIn(data, session);
    } catch (error) {
      const message = messageFor(error, 'signin');
      if (error.status === 400 || error.status === 401) fieldError(input, message);
      else alertError(message);
      announce('');
      button.disabled = false;
    }
  });
}
