/**
 * Canonical JSON (docs/spec/encodings.md §ENC-JSON-1, RFC 8785 restricted to
 * safe integers): members sorted by UTF-16 code units, no white space, strings
 * escaped as `JSON.stringify` does (which is what RFC 8785 prescribes).
 * @module
 */

/**
 * @param {unknown} value
 * @returns {string}
 * @throws {TypeError} a value outside the model (floats, unsafe integers, …)
 */
export function canonicalJson(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON: integers only');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(); // default sort compares UTF-16 code units
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON: unsupported ${typeof value}`);
}
