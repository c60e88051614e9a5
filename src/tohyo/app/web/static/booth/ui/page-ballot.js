/**
 * The ballot page (docs/spec/booth.md §BO-1.2): the answers are kept in the page
 * as the voter goes (so a reload, a lost connection or an expired sign-in loses
 * nothing), checked when the voter asks to review, and never sent anywhere.
 * @module
 */

import { checkAnswers } from './answers.js';
import { $, $$, announce, el } from './dom.js';
import { t } from './i18n.js';
import * as store from './store.js';

/** @param {HTMLElement} fieldset */
function inputsOf(fieldset) {
  return /** @type {HTMLInputElement[]} */ ($$('input.option__input', fieldset));
}

/** @param {HTMLElement} fieldset */
function readAnswer(fieldset) {
  const checked = inputsOf(fieldset).filter((i) => i.checked);
  if (checked.length === 0) return undefined;
  if (checked.some((i) => i.value === '#blank')) return { blank: true, options: [] };
  return { blank: false, options: checked.map((i) => i.value) };
}

function readAll() {
  /** @type {Record<string, {blank: boolean, options: string[]}>} */
  const answers = {};
  for (const fieldset of $$('fieldset[data-question]')) {
    const a = readAnswer(fieldset);
    if (a !== undefined) answers[fieldset.dataset.question] = a;
  }
  return answers;
}

function restore(answers) {
  let restored = false;
  for (const fieldset of $$('fieldset[data-question]')) {
    const a = answers[fieldset.dataset.question];
    if (!a || !Array.isArray(a.options)) continue;
    for (const input of inputsOf(fieldset)) {
      input.checked = input.value === '#blank' ? a.blank === true : a.options.includes(input.value);
      restored = restored || input.checked;
    }
  }
  return restored;
}

function questionName(fieldset) {
  const number = fieldset.querySelector('.question__number');
  const title = fieldset.querySelector('.question__title');
  return `${number ? number.textContent.trim() : ''} ${title ? title.textContent.trim() : ''}`.trim();
}

function setQuestionError(fieldset, text) {
  const error = $('.question__error', fieldset);
  error.textContent = text || '';
  error.hidden = !text;
  fieldset.classList.toggle('question--invalid', Boolean(text));
}

/** @param {any} data */
export function startBallot(data) {
  const eid = data.election.id;
  const form = /** @type {HTMLFormElement} */ ($('#ballot-form'));
  const saved = store.load(eid, 'answers');
  if (saved && typeof saved === 'object' && restore(saved)) announce(t('ballot.restored'));

  form.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    const fieldset = input.closest('fieldset');
    if (!(fieldset instanceof HTMLElement)) return;
    if (input.type === 'checkbox' && input.checked) {
      // "Blank" and a choice exclude each other.
      for (const other of inputsOf(fieldset)) {
        if (other !== input && (input.value === '#blank' || other.value === '#blank')) other.checked = false;
      }
    }
    setQuestionError(fieldset, null);
    store.save(eid, 'answers', readAll());
    store.remove(eid, 'pending'); // an encrypted ballot of earlier answers must not be sent
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const answers = readAll();
    store.save(eid, 'answers', answers);
    const problems = checkAnswers(answers, data.election.style);
    const summary = $('#error-summary');
    const list = $('#error-list');
    list.replaceChildren();
    for (const fieldset of $$('fieldset[data-question]')) setQuestionError(fieldset, null);
    if (problems.length === 0) {
      summary.hidden = true;
      location.assign(data.urls.review);
      return;
    }
    for (const { questionId, problem } of problems) {
      const fieldset = document.getElementById(`q-${questionId}`);
      if (!fieldset) continue;
      const values = {
        question: questionName(fieldset),
        min: fieldset.dataset.min || '1',
        max: fieldset.dataset.max || '1',
      };
      const key = problem === 'too_many' ? 'ballot.too_many' : problem === 'too_few' ? 'ballot.too_few' : 'ballot.unanswered';
      const text = t(key, values);
      setQuestionError(fieldset, text);
      const link = el('a', { href: `#q-${questionId}` }, [text]);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        const first = inputsOf(fieldset)[0];
        fieldset.scrollIntoView({ block: 'start' });
        if (first) first.focus();
      });
      list.append(el('li', {}, [link]));
    }
    summary.hidden = false;
    summary.focus();
  });
}
