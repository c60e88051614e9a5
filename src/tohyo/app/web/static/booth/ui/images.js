/**
 * Election images checked in the browser (docs/spec/manifest.md §MAN-13,
 * booth.md §BO-4.5): an image option whose manifest gives `image_sha256` is
 * rendered without a `src`; this module fetches its bytes, hashes them with
 * WebCrypto and shows them (from a `blob:` URL, so the bytes shown are the
 * bytes checked) only when the hash matches. Otherwise the image is refused:
 * it is not shown, its choice cannot be selected, and the page says so. The
 * server checks the same hash before it serves the file; this check also
 * catches a proxy or cache that alters the image on the way.
 * @module
 */

import { toHex } from '../crypto/bytes.js';
import { $$, alertError } from './dom.js';
import { t } from './i18n.js';

/**
 * @param {HTMLImageElement} img
 * @returns {Promise<boolean>} whether the image was shown
 */
async function checkImage(img) {
  const url = img.dataset.src || '';
  const expected = (img.dataset.sha256 || '').toLowerCase();
  try {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
    if (digest !== expected) throw new Error('the image does not match the manifest');
    const type = response.headers.get('content-type') || 'application/octet-stream';
    img.src = URL.createObjectURL(new Blob([bytes], { type }));
    img.dataset.checked = 'sha256';
    return true;
  } catch {
    img.dataset.refused = 'true';
    const option = img.closest('li');
    const input = option ? option.querySelector('input') : null;
    if (input) {
      input.checked = false;
      input.disabled = true;
    }
    return false;
  }
}

/** Check and show every image the page lists with a hash; report any refusal. */
export async function checkImages() {
  const images = /** @type {HTMLImageElement[]} */ ($$('img[data-sha256]'));
  const shown = await Promise.all(images.map(checkImage));
  if (shown.includes(false)) alertError(t('image.mismatch'));
}
