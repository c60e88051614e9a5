/**
 * The large-text, high-contrast display (docs/spec/booth.md §BO-3.4): a toggle
 * button with `aria-pressed`, remembered in `localStorage` (no cookie). The
 * inline script in `base.html` applies it before the first paint.
 * @module
 */

import { announce } from './dom.js';
import { t } from './i18n.js';

const KEY = 'tohyo.display';

export function setupDisplayToggle() {
  const button = document.getElementById('display-toggle');
  if (!button) return;
  const root = document.documentElement;
  const sync = () => button.setAttribute('aria-pressed', String(root.dataset.display === 'large'));
  sync();
  button.addEventListener('click', () => {
    const large = root.dataset.display !== 'large';
    if (large) root.dataset.display = 'large';
    else delete root.dataset.display;
    try {
      if (large) localStorage.setItem(KEY, 'large');
      else localStorage.removeItem(KEY);
    } catch {
      // storage disabled: the choice lasts for this page
    }
    sync();
    announce(t(large ? 'display.large_on' : 'display.large_off'));
  });
}
