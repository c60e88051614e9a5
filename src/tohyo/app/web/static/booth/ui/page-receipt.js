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
  // The receipt's time is the start of its 15-minute bucket (transparency-log.md
  // §TL-5.2.1): show the bucket, never a made-up minute or second.
  const when = new Date(receipt.cast_at);
  const locale = data.lang.startsWith('ja') ? 'ja-JP' : 'en-GB';
  const until = new Date(when.getTime() + 15 * 60 * 1000);
  time.textContent = Number.isNaN(when.getTime())
    ? receipt.cast_at
    : `${when.toLocaleString(locale, { timeZone: 'Asia/Tokyo', dateStyle: 'long', timeStyle: 'short' })}–${until.toLocaleTimeString(locale, { timeZone: 'Asia/Tokyo', timeStyle: 'short' })}`;
  $('#receipt-index').textContent = String(receipt.leaf_index + 1);
  $('#receipt-sequence').textContent = String(receipt.sequence);
  offerJson($('#receipt-download'), receipt);
  $('#check-link').setAttribute('href', `${data.urls.check}?code=${encodeURIComponent(receipt.tracking_code)}`);
  $('#receipt').hidden = false;
}
