/**
 * The review page (docs/spec/booth.md §BO-1.3, booth-crypto.md §B3.4): shows the
 * chosen names before anything is recorded, encrypts on this device, and lets
 * the voter either cast the encrypted ballot or audit it (Benaloh: the server
 * first records the ballot hash as spoiled, then the nonces are revealed and
 * the opened choices compared with the voter's; a fresh encryption follows).
 * @module
 */

import {
  BallotStyle,
  EncryptedBallot,
  ProofContext,
  PublicKey,
  auditBallot,
  auditedBallotToJson,
  fromHex,
  openAuditedBallot,
  prepareBallot,
  toHex,
} from '../crypto/index.js';
import { ApiError, request } from './api.js';
import { checkAnswers, toChoices } from './answers.js';
import { $, $$, alertError, announce, el, offerJson } from './dom.js';
import { SESSION_CODES, messageFor } from './errors.js';
import { t } from './i18n.js';
import * as store from './store.js';
import { trackingCode } from './tracking.js';

/** A random idempotency key of fixed length (32 hex digits): retries return the same receipt. */
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return toHex(bytes);
}

function labelOf(questionId, optionId) {
  const item = document.querySelector(
    `#r-${CSS.escape(questionId)} [data-option="${CSS.escape(optionId)}"]`,
  );
  return item ? item.textContent.replace(/\s+/g, ' ').trim() : optionId;
}

function describe(questionId, options) {
  if (options.length === 0) return t('review.blank');
  return options.map((o) => labelOf(questionId, o)).join(', ');
}

/** What the card reader app stands in for in this demonstration (`tohyo card sign-ballot`). */
const CARD_HINT = 'CARD.p12';

/**
 * The card's answer pasted by the voter: `{certificate, signature}` (base64), or an
 * error key. Checked here so that nothing is sent without one (authentication.md §AUTH-ENV).
 * @param {string} text
 * @returns {{envelope: {certificate: string, signature: string}} | {problem: string}}
 */
export function parseEnvelope(text) {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: 'envelope.missing' };
  let found;
  try {
    found = JSON.parse(trimmed);
  } catch {
    return { problem: 'envelope.not_json' };
  }
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (
    !found ||
    typeof found.certificate !== 'string' ||
    typeof found.signature !== 'string' ||
    !b64.test(found.certificate) ||
    !b64.test(found.signature)
  ) {
    return { problem: 'envelope.not_json' };
  }
  return { envelope: { certificate: found.certificate, signature: found.signature } };
}

/** Refusals of the card's signature: the ballot was not recorded; a new signature may be pasted. */
function isEnvelopeRefusal(code) {
  return ['auth.envelope.', 'auth.cert.', 'auth.signature.', 'auth.revocation.'].some((p) =>
    code.startsWith(p),
  );
}

function showAnswers(answers) {
  for (const section of $$('.review-question')) {
    const a = answers[section.dataset.question];
    for (const item of $$('[data-option]', section)) {
      const id = item.dataset.option;
      item.hidden = !(id === '#blank' ? a.blank : a.options.includes(id));
    }
  }
}

/** @param {any} data */
export function startReview(data) {
  const election = data.election;
  const eid = election.id;
  const style = election.style;
  const castButton = /** @type {HTMLButtonElement} */ ($('#cast-button'));
  const auditButton = /** @type {HTMLButtonElement} */ ($('#audit-button'));
  const codeOut = $('#tracking-code');
  const answers = store.load(eid, 'answers');

  const problems = checkAnswers(answers, style);
  const back = () => el('p', {}, [el('a', { href: data.urls.ballot }, [t('review.back')])]);
  if (answers === null) {
    alertError(t('review.nothing'), [back()]);
    codeOut.textContent = '—';
    return;
  }
  if (problems.length > 0) {
    // A tampered or outdated page state: nothing is encrypted, nothing is sent.
    const bad = problems.some((p) => p.problem === 'invalid');
    if (bad) store.remove(eid, 'answers');
    store.remove(eid, 'pending');
    alertError(bad ? t('review.bad_state') : t('review.nothing'), [back()]);
    codeOut.textContent = '—';
    return;
  }
  showAnswers(answers);

  let key;
  let ballotStyle;
  try {
    key = PublicKey.fromHex(election.publicKey);
    ballotStyle = BallotStyle.fromJson({ questions: style });
  } catch {
    alertError(t('error.server'));
    return;
  }
  const choices = toChoices(answers, style);

  /** @type {import('../crypto/index.js').PreparedBallot | null} */
  let prepared = null;
  /** @type {{ballot: any, idempotency_key: string, tracking: string} | null} */
  let pending = store.load(eid, 'pending');
  let context = null;

  function needSession(messageKey) {
    castButton.disabled = true;
    auditButton.disabled = true;
    prepared = null;
    store.remove(eid, 'pending');
    pending = null;
    codeOut.textContent = '—';
    $('#session-needed-text').textContent = t(messageKey);
    $('#session-needed').hidden = false;
  }

  const session = store.session(eid);
  if (session === null) {
    needSession('review.no_session');
    return;
  }
  // A card session casts with the card's signature of the ballot hash (§AUTH-ENV-2).
  const isCard = session.method === 'jpki';
  const envelopeInput = /** @type {HTMLTextAreaElement} */ ($('#envelope-answer'));

  function envelopeError(message) {
    const error = $('#envelope-answer-error');
    error.textContent = message ?? '';
    error.hidden = message === null;
    if (message === null) envelopeInput.removeAttribute('aria-invalid');
    else {
      envelopeInput.setAttribute('aria-invalid', 'true');
      envelopeInput.focus();
    }
  }

  function showEnvelope(hashHex) {
    if (!isCard) return;
    $('#envelope-hash').textContent = hashHex;
    $('#envelope-command').textContent =
      `tohyo card sign-ballot --card ${CARD_HINT} --election ${eid} --ballot-hash ${hashHex}`;
    $('#envelope').hidden = false;
    envelopeInput.value = '';
    envelopeError(null);
  }
  if (Date.parse(session.expires_at) <= Date.now()) {
    store.remove(eid, 'session');
    needSession('review.session_expired');
    return;
  }
  context = new ProofContext({
    electionId: eid,
    manifestHash: fromHex(election.manifestHash, 32, 'manifest hash'),
    publicKey: key.element,
    binding: [session.credential],
  });

  function encrypt() {
    announce(t('review.encrypting'));
    const started = performance.now();
    prepared = prepareBallot(context, key, ballotStyle, choices);
    const ms = performance.now() - started;
    const code = trackingCode(prepared.ballotHash);
    codeOut.textContent = code;
    codeOut.dataset.encryptMs = ms.toFixed(1);
    showEnvelope(toHex(prepared.ballotHash));
    announce(t(isCard ? 'envelope.needed' : 'review.encrypted', { code }));
    castButton.disabled = false;
    auditButton.disabled = false;
  }

  const pendingOk =
    pending &&
    pending.ballot &&
    typeof pending.idempotency_key === 'string' &&
    (!isCard || typeof pending.ballot_hash === 'string');
  if (pendingOk) {
    // An earlier cast of these answers may have been recorded: send the very same
    // ballot again with the same key, so the server returns the first receipt.
    codeOut.textContent = pending.tracking;
    showEnvelope(pending.ballot_hash);
    if (isCard && pending.envelope) envelopeInput.value = JSON.stringify(pending.envelope);
    castButton.disabled = false;
    auditButton.disabled = true;
  } else {
    pending = null;
    setTimeout(encrypt, 0); // let the status render first
  }

  async function cast() {
    alertError(null);
    /** @type {{certificate: string, signature: string} | undefined} */
    let envelope;
    if (isCard) {
      // Without the card's signature nothing is sent, and the ballot stays castable.
      const parsed = parseEnvelope(envelopeInput.value);
      if ('problem' in parsed) {
        envelopeError(t(parsed.problem));
        return;
      }
      envelopeError(null);
      envelope = parsed.envelope;
    }
    castButton.disabled = true;
    auditButton.disabled = true;
    if (pending === null) {
      if (prepared === null) return;
      const tracking = trackingCode(prepared.ballotHash);
      const ballotHash = toHex(prepared.ballotHash);
      const ballot = prepared.cast(); // the nonces are dropped here
      pending = {
        ballot: ballot.toJson(),
        idempotency_key: idempotencyKey(),
        tracking,
        ballot_hash: ballotHash,
      };
      prepared = null;
      store.save(eid, 'pending', pending);
    } else {
      announce(t('review.retry'));
    }
    announce(t('review.casting'));
    try {
      EncryptedBallot.fromJson(pending.ballot); // a tampered page state fails here, not at the server
    } catch {
      store.remove(eid, 'pending');
      store.remove(eid, 'answers');
      pending = null;
      alertError(t('review.bad_state'), [back()]);
      return;
    }
    /** @type {Record<string, unknown>} */
    const body = { ballot: pending.ballot, idempotency_key: pending.idempotency_key };
    if (envelope !== undefined) {
      body.envelope = envelope;
      pending.envelope = envelope; // a retry after a network failure sends the same request
      store.save(eid, 'pending', pending);
    }
    try {
      const receipt = await request(`${data.urls.api}/ballots`, {
        method: 'POST',
        body,
        token: session.token,
      });
      store.save(eid, 'receipt', receipt);
      store.remove(eid, 'pending');
      store.remove(eid, 'answers');
      location.assign(data.urls.receipt);
    } catch (error) {
      castFailed(error instanceof ApiError ? error : new ApiError(0, 'network.failed', String(error)));
    }
  }

  function castFailed(error) {
    announce('');
    const transient = error.code === 'network.failed' || error.status >= 500;
    if (transient) {
      // Keep the pending ballot: "try again" sends the same bytes with the same key.
      alertError(messageFor(error, 'review'));
      castButton.disabled = false;
      return;
    }
    if (isCard && isEnvelopeRefusal(error.code)) {
      // Refused before the ballot box was touched: nothing was recorded. The same
      // ballot (same hash) may be cast with a good signature of it.
      if (pending) {
        delete pending.envelope;
        store.save(eid, 'pending', pending);
      }
      envelopeError(t('envelope.refused', { code: error.code }));
      alertError(t('envelope.refused', { code: error.code }));
      castButton.disabled = false;
      return;
    }
    store.remove(eid, 'pending');
    pending = null;
    if (SESSION_CODES.has(error.code)) {
      store.remove(eid, 'session');
      needSession('review.session_expired');
      alertError(t('review.session_expired'));
      return;
    }
    if (error.code === 'ballot.audited') {
      alertError(t('review.audited'));
      encrypt();
      return;
    }
    if (error.code.startsWith('election.') || error.code.startsWith('voter.')) {
      alertError(messageFor(error, 'review'));
      return; // nothing can be cast any more
    }
    // A ballot the server refused (another election, a wrong shape, a bad proof).
    alertError(t('review.rejected', { code: error.code }), [back()]);
  }

  async function audit() {
    if (prepared === null) return;
    castButton.disabled = true;
    auditButton.disabled = true;
    alertError(null);
    announce(t('audit.requesting'));
    const hashHex = toHex(prepared.ballotHash);
    try {
      await request(`${data.urls.api}/audits`, {
        method: 'POST',
        body: { ballot_hash: hashHex },
        token: session.token,
      });
    } catch (error) {
      // Nothing was revealed: the voter may retry, or cast this ballot.
      if (error instanceof ApiError && SESSION_CODES.has(error.code)) {
        store.remove(eid, 'session');
        needSession('review.session_expired');
        alertError(t('review.session_expired'));
        return;
      }
      alertError(t('audit.failed'));
      castButton.disabled = false;
      auditButton.disabled = false;
      return;
    }
    const checkedCode = trackingCode(prepared.ballotHash);
    const audited = auditBallot(prepared);
    prepared = null;
    showAudit(audited, checkedCode);
    encrypt();
    announce(t('audit.reencrypted', { code: codeOut.textContent }));
  }

  function showAudit(audited, checkedCode) {
    let opened = null;
    try {
      opened = openAuditedBallot(context, key, ballotStyle, audited.ballot, audited.nonces);
    } catch {
      opened = null;
    }
    const rows = $('#audit-rows');
    rows.replaceChildren();
    let match = opened !== null;
    for (const q of style) {
      const mine = choices[q.question_id];
      const inside = opened ? opened[q.question_id] : null;
      const same = inside !== null && inside.length === mine.length && inside.every((o) => mine.includes(o));
      match = match && same;
      const title = document.querySelector(`#r-${CSS.escape(q.question_id)} [data-speech-title]`);
      rows.append(
        el('tr', { class: same ? 'audit-row--same' : 'audit-row--different' }, [
          el('th', { scope: 'row' }, [title ? title.textContent.trim() : q.question_id]),
          el('td', {}, [describe(q.question_id, mine)]),
          el('td', {}, [inside === null ? '—' : describe(q.question_id, inside)]),
        ]),
      );
    }
    const verdict = $('#audit-verdict');
    verdict.textContent = t(match ? 'audit.match' : 'audit.mismatch');
    verdict.classList.toggle('audit-verdict--bad', !match);
    verdict.classList.toggle('audit-verdict--good', match);
    $('#audit-tracking').textContent = checkedCode;
    offerJson($('#audit-download'), auditedBallotToJson(audited));
    const result = $('#audit-result');
    result.hidden = false;
    result.dataset.match = String(match);
    result.focus();
  }

  castButton.addEventListener('click', () => {
    cast();
  });
  auditButton.addEventListener('click', () => {
    audit();
  });
}
