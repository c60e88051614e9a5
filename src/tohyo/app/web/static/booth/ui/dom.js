/**
 * DOM helpers of the booth pages (docs/spec/booth.md §BO-4). Text only: the
 * booth never builds HTML from strings (the CSP requires Trusted Types, and no
 * sink like `innerHTML` is ever used).
 * @module
 */

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function $(selector, root = document) {
  const found = root.querySelector(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`booth: missing element ${selector}`);
  return found;
}

/**
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement[]}
 */
export function $$(selector, root = document) {
  return /** @type {HTMLElement[]} */ ([...root.querySelectorAll(selector)]);
}

/**
 * Create an element with attributes and text or child nodes.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

let pending = 0;

/** Announce progress politely in the page's status region. */
export function announce(text) {
  const region = document.getElementById('status');
  if (!region) return;
  region.textContent = '';
  clearTimeout(pending);
  // A new text node after a tick makes screen readers speak repeated messages.
  pending = setTimeout(() => {
    region.textContent = text;
  }, 30);
}

/** Empty the polite status region at once (and cancel a pending announcement). */
export function clearStatus() {
  clearTimeout(pending);
  const region = document.getElementById('status');
  if (region) region.textContent = '';
}

/**
 * Show an error in the page's alert region (role="alert"), or clear it.
 * @param {string | null} text
 * @param {Node[]} [extra] - e.g. a link to sign in again
 */
export function alertError(text, extra = []) {
  const region = document.getElementById('alert');
  if (!region) return;
  region.replaceChildren();
  if (text === null) {
    region.hidden = true;
    return;
  }
  region.append(el('p', {}, [text]), ...extra);
  region.hidden = false;
}

/** The JSON a page embeds in `<script type="application/json" id=…>`. */
export function pageJson(id) {
  const node = document.getElementById(id);
  if (!node) return null;
  return JSON.parse(node.textContent || 'null');
}

/** Offer `obj` as a JSON file through a link with a `download` attribute. */
export function offerJson(link, obj) {
  const blob = new Blob([JSON.stringify(obj, null, 2) + '\n'], { type: 'application/json' });
  const previous = link.getAttribute('href');
  if (previous && previous.startsWith('blob:')) URL.revokeObjectURL(previous);
  link.setAttribute('href', URL.createObjectURL(blob));
}
