/**
 * The receipt page (docs/spec/booth.md §BO-1.4): the tracking code, when, where
 * in the ballot box, how to check it. The receipt says nothing about the choices.
 * @module
 */

import { $, alertError, offerJson } from './dom.js';
import { t } from './i18n.js';
import * as store from './store.js';

/** @param {any} data */
export function startReceipt(data) {
  const eid = data.election.id;
  const receipt = store.load(eid, 'receipt');
  if (!receipt || typeof receipt.tracking_code !== 'string') {
    alertError(t('receipt.none'));
    return;
  }
  $('#receipt-code').textContent = receipt.tracking_code;
  const time = $('#receipt-time');
  time.setAttribute('datetime', receipt.cast_at);
  const when = new Date(receipt.cast_at);
  time.textContent = Number.isNaN(when.getTime())
    ? receipt.cast_at
    : when.toLocaleString(data.lang.startsWith('ja') ? 'ja-JP' : 'en-GB', { timeZone: 'Asia/Tokyo', dateStyle: 'long', timeStyle: 'medium' });
  $('#receipt-index').textContent = String(receipt.leaf_index + 1);
  $('#receipt-sequence').textContent = String(receipt.sequence);
  offerJson($('#receipt-download'), receipt);
  $('#check-link').setAttribute('href', `${data.urls.check}?code=${encodeURIComponent(receipt.tracking_code)}`);
  $('#receipt').hidden = false;
}
