/**
 * Strict helpers for decoding the crypto values' JSON forms (spec §2.4). Mirrors
 * `tohyo.crypto._json`: objects must have exactly the listed fields, values
 * must have the right JSON types, and hex must be canonical.
 *
 * @module
 */

import { InvalidEncoding } from './errors.js';
import { Element, Scalar } from './group.js';

/**
 * `obj` as an object with exactly `keys`: no missing and no extra field.
 * @param {unknown} obj
 * @param {readonly string[]} keys
 * @param {string} what
 * @returns {Record<string, unknown>}
 * @throws {InvalidEncoding}
 */
export function expectObject(obj, keys, what) {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new InvalidEncoding(`${what}: expected a JSON object`);
  }
  const present = Object.keys(obj);
  const wanted = new Set(keys);
  const missing = keys.filter((k) => !Object.prototype.hasOwnProperty.call(obj, k));
  const extra = present.filter((k) => !wanted.has(k));
  if (missing.length || extra.length) {
    throw new InvalidEncoding(
      `${what}: missing fields ${JSON.stringify(missing.sort())}, ` +
        `unexpected fields ${JSON.stringify(extra.sort())}`,
    );
  }
  return /** @type {Record<string, unknown>} */ (obj);
}

/**
 * @param {unknown} obj
 * @param {string} what
 * @param {number} maxLen
 * @param {number} [minLen]
 * @returns {unknown[]}
 * @throws {InvalidEncoding}
 */
export function expectList(obj, what, maxLen, minLen = 0) {
  if (!Array.isArray(obj)) throw new InvalidEncoding(`${what}: expected a JSON array`);
  if (obj.length > maxLen) throw new InvalidEncoding(`${what}: more than ${maxLen} items`);
  if (obj.length < minLen) throw new InvalidEncoding(`${what}: fewer than ${minLen} items`);
  return obj;
}

/**
 * @param {unknown} obj
 * @param {string} what
 * @returns {string}
 * @throws {InvalidEncoding}
 */
export function expectString(obj, what) {
  if (typeof obj !== 'string') throw new InvalidEncoding(`${what}: expected a string`);
  return obj;
}

/**
 * @param {unknown} obj
 * @param {string} what
 * @param {number} maxLen
 * @returns {Scalar[]}
 */
export function scalarList(obj, what, maxLen) {
  return expectList(obj, what, maxLen).map((x) => scalar(x, what));
}

/**
 * @param {unknown} obj
 * @param {string} what
 * @param {{allowIdentity?: boolean}} [options]
 * @returns {Element}
 */
export function element(obj, what, options = {}) {
  return Element.fromHex(expectString(obj, what), options);
}

/**
 * @param {unknown} obj
 * @param {string} what
 * @returns {Scalar}
 */
export function scalar(obj, what) {
  return Scalar.fromHex(expectString(obj, what));
}
