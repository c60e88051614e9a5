/**
 * Byte helpers: strict lowercase hex (spec §2.4), concatenation, comparison.
 *
 * @module
 */

import { InvalidEncoding } from './errors.js';

const HEX_DIGITS = '0123456789abcdef';
const HEX_RE = /^[0-9a-f]*$/;

/**
 * Whether `value` is a Uint8Array (not a Node Buffer subclass check: any Uint8Array).
 * @param {unknown} value
 * @returns {value is Uint8Array}
 */
export function isBytes(value) {
  return value instanceof Uint8Array;
}

/**
 * Lowercase hexadecimal of `bytes`.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 15];
  return out;
}

/**
 * Decode exactly `size` bytes from lowercase hex; anything else is refused (§2.4).
 * @param {unknown} text
 * @param {number} size
 * @param {string} what - the name of the value, for the error message
 * @returns {Uint8Array}
 * @throws {InvalidEncoding}
 */
export function fromHex(text, size, what) {
  if (typeof text !== 'string' || text.length !== 2 * size) {
    throw new InvalidEncoding(`${what}: expected ${2 * size} lowercase hex digits`);
  }
  if (!HEX_RE.test(text)) {
    throw new InvalidEncoding(`${what}: hex must be lowercase hexadecimal digits`);
  }
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Concatenation of byte strings.
 * @param {...Uint8Array} arrays
 * @returns {Uint8Array}
 */
export function concat(...arrays) {
  let n = 0;
  for (const a of arrays) n += a.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/**
 * Byte-wise equality (not constant time: for public values).
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 * @returns {boolean}
 */
export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
