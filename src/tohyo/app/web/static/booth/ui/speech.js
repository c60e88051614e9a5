/**
 * Read-aloud with the Web Speech API (docs/spec/booth.md §BO-3.3): each button
 * `[data-read=<id>]` reads the element `<id>` in the page's language: a
 * question with its instructions and every choice (candidates by number, kana
 * reading and party, images by their alternative text), or the review list with
 * the chosen answers. The texts come from `data-speech` attributes the server
 * wrote, so what is read is what the page shows.
 * @module
 */

import { $$, announce } from './dom.js';
import { t } from './i18n.js';

/** @type {HTMLElement | null} */
let speaking = null;

/**
 * The texts to read for a container.
 * @param {HTMLElement} target
 * @returns {string[]}
 */
export function textsFor(target) {
  const out = [];
  const sections = target.matches('[data-question]') ? [target] : $$('[data-question]', target);
  for (const section of sections) {
    const title = section.querySelector('[data-speech-title]');
    const number = section.querySelector('.question__number');
    out.push(`${number ? number.textContent.trim() : ''} ${title ? title.textContent.trim() : ''}`.trim());
    const help = section.querySelector('[data-speech-help]');
    if (help) out.push(help.textContent.trim());
    const inputs = /** @type {HTMLInputElement[]} */ ($$('input[data-speech]', section));
    if (inputs.length > 0) {
      inputs.forEach((input, i) => {
        const label =
          input.value === '#blank'
            ? input.dataset.speech
            : t('speech.option', { n: i + 1, label: input.dataset.speech });
        out.push(input.checked ? `${label} ${t('speech.selected')}` : label);
      });
    } else {
      for (const item of $$('[data-option][data-speech]', section)) {
        if (!item.hidden) out.push(t('speech.chosen', { label: item.dataset.speech }));
      }
    }
  }
  return out.filter((s) => s.length > 0);
}

function stop() {
  if ('speechSynthesis' in window) window.speechSynthesis.cancel();
  if (speaking) speaking.setAttribute('aria-pressed', 'false');
  speaking = null;
}

/**
 * Speak the texts one after the other.
 * @param {string[]} texts
 * @param {string} lang - BCP 47, e.g. ja-JP
 * @param {HTMLElement} button
 */
function speak(texts, lang, button) {
  const synth = window.speechSynthesis;
  const voices = synth.getVoices();
  const base = lang.split('-')[0];
  const voice = voices.find((v) => v.lang === lang) || voices.find((v) => v.lang.startsWith(base));
  speaking = button;
  button.setAttribute('aria-pressed', 'true');
  texts.forEach((text, i) => {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    if (i === texts.length - 1) {
      utterance.onend = () => {
        if (speaking === button) stop();
      };
    }
    synth.speak(utterance);
  });
}

/** @param {string} lang - the page's speech language */
export function setupReadAloud(lang) {
  for (const button of $$('button[data-read]')) {
    button.addEventListener('click', () => {
      if (!('speechSynthesis' in window)) {
        announce(t('speech.unavailable'));
        return;
      }
      const wasMine = speaking === button;
      stop();
      if (wasMine) return;
      const target = document.getElementById(button.dataset.read || '');
      if (target) speak(textsFor(target), lang, button);
    });
  }
}
