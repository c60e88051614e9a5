/**
 * Domain-separated hashing with length-prefixed inputs (spec §3).
 *
 * Every hash of the protocol is `SHA-512(lp(dst) ‖ lp(p_1) ‖ … ‖ lp(p_n))` with
 * `lp(x) = u64be(len(x)) ‖ x`. Mirrors `tohyo.crypto.hashing`.
 *
 * @module
 */

import { sha512 } from '@noble/hashes/sha2.js';

import { concat } from './bytes.js';
import { InvalidEncoding } from './errors.js';
import { Element, Scalar } from './group.js';

/**
 * The registry of domain-separation tags (spec §3.2), as ASCII strings.
 * @type {Readonly<Record<string, string>>}
 */
export const Dst = Object.freeze({
  SCHNORR: 'tohyo/1/proof/schnorr',
  CHAUM_PEDERSEN: 'tohyo/1/proof/chaum-pedersen',
  RANGE: 'tohyo/1/proof/range',
  KEY_SHARE_PAD: 'tohyo/1/dkg/share-pad',
  BALLOT_TRACKER: 'tohyo/1/ballot/tracker',
  TEST_NONCE: 'tohyo/1/test/nonce',
});

const U64_LIMIT = 1n << 64n;

/**
 * An unsigned integer as 8 bytes big-endian (spec §1.1).
 * @param {number | bigint} value
 * @returns {Uint8Array}
 * @throws {InvalidEncoding} not an integer in [0, 2^64)
 */
export function u64(value) {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new InvalidEncoding('u64: not an integer');
  }
  let n = BigInt(value);
  if (n < 0n || n >= U64_LIMIT) throw new InvalidEncoding('u64: out of range');
  const out = new Uint8Array(8);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * Whether `text` holds a lone (unpaired) UTF-16 surrogate. A loop rather than a
 * look-behind regular expression, which Safari before 16.4 cannot parse.
 * @param {string} text
 * @returns {boolean}
 */
function hasLoneSurrogate(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next < 0xdc00 || next > 0xdfff) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/**
 * Text as strict UTF-8, without normalisation (spec §1.1).
 *
 * `TextEncoder` silently replaces a lone surrogate by U+FFFD; Python refuses
 * it, and so does this function, so both sides hash the same bytes or fail.
 * @param {string} text
 * @returns {Uint8Array}
 * @throws {InvalidEncoding} not a string, or not valid Unicode
 */
export function utf8(text) {
  if (typeof text !== 'string') throw new InvalidEncoding('text: expected a string');
  if (hasLoneSurrogate(text)) throw new InvalidEncoding('text is not valid Unicode');
  return encoder.encode(text);
}

/**
 * `lp(p_1) ‖ … ‖ lp(p_n)` (spec §3.1).
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function encodeParts(...parts) {
  const pieces = [];
  for (const p of parts) pieces.push(u64(p.length), p);
  return concat(...pieces);
}

/**
 * @param {string | Uint8Array} dst
 * @returns {Uint8Array}
 */
function dstBytes(dst) {
  const bytes = typeof dst === 'string' ? utf8(dst) : dst;
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new InvalidEncoding('a domain-separation tag is required');
  }
  return bytes;
}

/**
 * The 64-byte `SHA-512(lp(dst) ‖ lp(p_1) ‖ …)` (spec §3.1).
 * @param {string | Uint8Array} dst - a tag of {@link Dst} (non-empty)
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function digest(dst, ...parts) {
  const tag = dstBytes(dst);
  const h = sha512.create();
  h.update(u64(tag.length));
  h.update(tag);
  for (const p of parts) {
    if (!(p instanceof Uint8Array)) throw new InvalidEncoding('hash part: expected bytes');
    h.update(u64(p.length));
    h.update(p);
  }
  return h.digest();
}

/**
 * A challenge scalar: the digest, read little-endian, reduced modulo ℓ (spec §3.3).
 * @param {string | Uint8Array} dst
 * @param {...Uint8Array} parts
 * @returns {Scalar}
 */
export function hashToScalar(dst, ...parts) {
  return Scalar.fromWideBytes(digest(dst, ...parts));
}

/**
 * An element with no known discrete log: the RFC 9496 one-way map of the digest (§3.4).
 * @param {string | Uint8Array} dst
 * @param {...Uint8Array} parts
 * @returns {Element}
 */
export function hashToElement(dst, ...parts) {
  return Element.fromUniformBytes(digest(dst, ...parts));
}
