/**
 * Tracking codes (docs/spec/casting.md §CAST-5): base32 (RFC 4648) of the
 * first 15 bytes of the ballot hash, in groups of four: `XXXX-XXXX-…` (24 characters).
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TRACKING_BYTES = 15;

/**
 * @param {Uint8Array} ballotHash - 32 bytes
 * @returns {string}
 */
export function trackingCode(ballotHash) {
  const bytes = ballotHash.subarray(0, TRACKING_BYTES);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{1,4}/g).join('-');
}

/**
 * A tracking code as a person typed it, normalised (`XXXX-…`), or null if malformed.
 * Case, spaces and hyphens are forgiven; full-width characters are folded.
 * @param {string} text
 * @returns {string | null}
 */
export function normaliseTrackingCode(text) {
  const raw = text.normalize('NFKC').replace(/[\s\-\u2010-\u2015\u2212\u30fc]/g, '').toUpperCase();
  if (!/^[A-Z2-7]{24}$/.test(raw)) return null;
  return raw.match(/.{4}/g).join('-');
}

/** The tracking code read out character by character (for screen readers). */
export function spelledOut(code) {
  return code.replace(/-/g, ' ').split('').join(' ');
}
