/**
 * What the voter is told for each refusal code of the API (docs/spec/casting.md
 * §CAST-7, authentication.md §AUTH-ERR), in the page's language.
 * @module
 */

import { t } from './i18n.js';

/** Codes that mean "sign in again" (the choices are kept). */
export const SESSION_CODES = new Set([
  'session.missing',
  'session.invalid',
  'session.expired',
  'auth.session.missing',
  'auth.session.expired',
]);

/**
 * @param {{status: number, code: string}} error
 * @param {'signin' | 'review'} where
 * @returns {string}
 */
export function messageFor(error, where) {
  const { status, code } = error;
  if (code === 'network.failed') return t('error.network');
  if (code === 'election.closed' || code === 'election.period_over') return t(`${where}.closed`);
  if (code === 'voter.not_eligible' || code.startsWith('auth.eligibility.')) {
    return t(`${where}.not_eligible`);
  }
  if (code === 'voter.voted_on_paper') return t(`${where}.paper`);
  if (where === 'signin') {
    if (code === 'election.not_started') return t('signin.not_started');
    if (code.startsWith('election.')) return t('signin.not_open');
    if (code === 'auth.rate_limited' || status === 429) return t('signin.rate');
    if (status === 400 || status === 401) return t('signin.invalid');
  } else {
    if (SESSION_CODES.has(code)) return t('review.session_expired');
    if (code === 'ballot.audited') return t('review.audited');
    if (code.startsWith('election.')) return t('review.closed');
  }
  if (status >= 500) return t('error.server');
  return t('error.unknown', { code });
}
