/**
 * The page's messages, translated by the server (`<script id="booth-messages">`).
 * @module
 */

import { pageJson } from './dom.js';

/** @type {Record<string, string> | null} */
let messages = null;

/**
 * The message `key` with `{name}` placeholders filled in.
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 * @returns {string}
 */
export function t(key, values = {}) {
  if (messages === null) messages = pageJson('booth-messages') || {};
  const template = messages[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}
