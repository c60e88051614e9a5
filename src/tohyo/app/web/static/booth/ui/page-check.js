/**
 * "Check my ballot" (docs/spec/booth.md §BO-1.5): everything is verified here,
 * in the browser, with the log key the page carries:
 *
 * 1. the ballot box's signed head (Ed25519 note signature, §TL-4, §TL-5);
 * 2. the entry: its canonical JSON is recomputed, hashed (§TL-1.1) and must name
 *    this ballot hash;
 * 3. the RFC 9162 inclusion proof of that leaf in the signed head;
 * 4. with the receipt kept on this device: the receipt's own head and proof, and
 *    the consistency proof from the receipt's head to today's;
 * 5. only for the voter's own signed-in session (casting.md §CAST-8.4): whether
 *    the ballot is the one counted (not superseded, no paper vote). Without a
 *    session the page says only that the ballot is in the ballot box, so a
 *    receipt shown to someone else never tells them whether the voter re-voted.
 * @module
 */

import { fromHex } from '../crypto/index.js';
import { ApiError, request } from './api.js';
import { canonicalJson } from './canonical.js';
import { $, announce, clearStatus, el } from './dom.js';
import { t } from './i18n.js';
import { fromBase64, leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import { parseVerifierKey, verifyCheckpoint } from './note.js';
import * as store from './store.js';
import { normaliseTrackingCode, trackingCode } from './tracking.js';

class CheckFailed extends Error {}

/** @param {any} data */
export function startCheck(data) {
  const eid = data.election.id;
  const form = /** @type {HTMLFormElement} */ ($('#check-form'));
  const input = /** @type {HTMLInputElement} */ ($('#tracking-input'));
  const error = $('#tracking-error');
  const result = $('#check-result');
  const steps = $('#check-steps');
  const verdict = $('#check-verdict');
  const receipt = store.load(eid, 'receipt');
  const fromUrl = new URLSearchParams(location.search).get('code');
  if (fromUrl) input.value = fromUrl;
  else if (receipt && typeof receipt.tracking_code === 'string') input.value = receipt.tracking_code;

  function step(ok, text) {
    steps.append(
      el('li', { class: ok ? 'check-step check-step--ok' : 'check-step check-step--bad' }, [
        el('span', { class: 'check-step__icon', 'aria-hidden': 'true' }, [ok ? '✓' : '✗']),
        el('span', { class: 'visually-hidden' }, [t(ok ? 'check.step_ok' : 'check.step_bad'), ' ']),
        text,
      ]),
    );
    if (!ok) throw new CheckFailed(text);
  }

  async function run(code) {
    const api = data.urls.api;
    const logKey = parseVerifierKey(data.election.logKey);
    let found;
    try {
      found = await request(`${api}/ballots/${encodeURIComponent(code)}`);
    } catch (e) {
      throw e instanceof ApiError ? e : new ApiError(0, 'network.failed', String(e));
    }
    const hash = fromHex(found.ballot_hash, 32, 'ballot hash');
    if (trackingCode(hash) !== code) step(false, t('check.not_found'));
    step(true, t('check.found', { index: found.leaf_index + 1 }));

    let head;
    try {
      head = verifyCheckpoint(found.checkpoint, logKey);
    } catch {
      step(false, t('check.signature_bad'));
    }
    if (head.size !== found.tree_size) step(false, t('check.signature_bad'));
    step(true, t('check.signature_ok', { size: head.size }));

    const page = await request(`${api}/log/entries?start=${found.leaf_index}&end=${found.leaf_index + 1}`);
    const entry = page.entries && page.entries[0];
    const leafData = entry ? entry.data : null;
    const leaf = leafData ? leafHash(new TextEncoder().encode(canonicalJson(leafData))) : null;
    const holds =
      leafData !== null &&
      entry.index === found.leaf_index &&
      leafData.kind === 'ballot' &&
      leafData.election_id === eid &&
      leafData.ballot_hash === found.ballot_hash &&
      leafData.credential === found.credential;
    step(holds, t(holds ? 'check.leaf_ok' : 'check.leaf_bad'));

    try {
      verifyInclusion(leaf, found.leaf_index, head.size, found.inclusion_proof.map(fromBase64), head.root);
      step(true, t('check.inclusion_ok'));
    } catch (e) {
      if (e instanceof CheckFailed) throw e;
      step(false, t('check.inclusion_bad'));
    }

    if (receipt && receipt.ballot_hash === found.ballot_hash) {
      let ok = false;
      try {
        const old = verifyCheckpoint(receipt.checkpoint, logKey);
        verifyInclusion(leaf, receipt.leaf_index, old.size, receipt.inclusion_proof.map(fromBase64), old.root);
        const proof = await request(`${api}/log/consistency?old=${old.size}&new=${head.size}`);
        verifyConsistency(old.size, head.size, old.root, head.root, proof.consistency_proof.map(fromBase64));
        ok = true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 'network.failed') throw e;
        ok = false;
      }
      step(ok, t(ok ? 'check.receipt_ok' : 'check.receipt_bad'));
    } else if (receipt && typeof receipt.ballot_hash === 'string') {
      steps.append(el('li', { class: 'check-step' }, [t('check.receipt_other')]));
    }

    return ownStatus(code);
  }

  /** The status, asked with this tab's voting session; without one, "recorded". */
  async function ownStatus(code) {
    const recorded = { counted: true, text: t('check.recorded'), outcome: 'recorded' };
    const session = store.session(eid);
    if (!session) return recorded;
    let mine;
    try {
      mine = await request(`${data.urls.api}/ballots/${encodeURIComponent(code)}/status`, {
        token: session.token,
      });
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return recorded;
      throw e instanceof ApiError ? e : new ApiError(0, 'network.failed', String(e));
    }
    if (mine.paper_override) return { counted: false, text: t('check.paper'), outcome: 'not-counted' };
    if (mine.status === 'effective') return { counted: true, text: t('check.effective'), outcome: 'counted' };
    return { counted: false, text: t('check.superseded'), outcome: 'not-counted' };
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const code = normaliseTrackingCode(input.value);
    if (code === null) {
      error.textContent = t('check.bad_code');
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    input.value = code;
    steps.replaceChildren();
    verdict.textContent = '';
    verdict.className = 'check-verdict';
    result.hidden = false;
    result.dataset.outcome = 'running';
    announce(t('check.looking'));
    try {
      const status = await run(code);
      verdict.textContent = `${t('check.passed')} ${status.text}`;
      verdict.classList.add(status.counted ? 'check-verdict--good' : 'check-verdict--warn');
      result.dataset.outcome = status.outcome;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        verdict.textContent = t('check.not_found');
        verdict.classList.add('check-verdict--warn');
        result.dataset.outcome = 'not-found';
      } else if (e instanceof ApiError) {
        verdict.textContent = t('error.network');
        verdict.classList.add('check-verdict--bad');
        result.dataset.outcome = 'error';
      } else {
        verdict.textContent = t('check.failed');
        verdict.classList.add('check-verdict--bad');
        result.dataset.outcome = 'failed';
      }
    }
    // One message, in the verdict (a polite live region): the progress line goes.
    clearStatus();
    result.focus();
  });
}
