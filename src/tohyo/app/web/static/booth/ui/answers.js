/**
 * The voter's answers as the page keeps them, and their checks against the
 * ballot style (docs/spec/booth.md §BO-4.2). An answer is
 * `{blank: true, options: []}` or `{blank: false, options: [option ids]}`;
 * a missing answer is a question not yet answered.
 * @module
 */

/**
 * Problems with the answers, per question: `unanswered`, `too_many`, `too_few`,
 * or `invalid` (an unknown option, blank where it is not allowed: a tampered page).
 * @param {any} answers
 * @param {{question_id: string, option_ids: string[], min_selections: number,
 *   max_selections: number, allow_blank: boolean}[]} style
 * @returns {{questionId: string, problem: string}[]}
 */
export function checkAnswers(answers, style) {
  const out = [];
  const known = new Set(style.map((q) => q.question_id));
  if (answers !== null && (typeof answers !== 'object' || Array.isArray(answers))) {
    return [{ questionId: '', problem: 'invalid' }];
  }
  for (const id of Object.keys(answers || {})) {
    if (!known.has(id)) out.push({ questionId: id, problem: 'invalid' });
  }
  for (const q of style) {
    const a = answers ? answers[q.question_id] : undefined;
    if (a === undefined) {
      out.push({ questionId: q.question_id, problem: 'unanswered' });
      continue;
    }
    if (
      !a ||
      typeof a.blank !== 'boolean' ||
      !Array.isArray(a.options) ||
      a.options.some((o) => !q.option_ids.includes(o)) ||
      new Set(a.options).size !== a.options.length
    ) {
      out.push({ questionId: q.question_id, problem: 'invalid' });
      continue;
    }
    if (a.blank) {
      if (!q.allow_blank || a.options.length !== 0) {
        out.push({ questionId: q.question_id, problem: 'invalid' });
      }
      continue;
    }
    if (a.options.length === 0) out.push({ questionId: q.question_id, problem: 'unanswered' });
    else if (a.options.length > q.max_selections) out.push({ questionId: q.question_id, problem: 'too_many' });
    else if (a.options.length < q.min_selections) out.push({ questionId: q.question_id, problem: 'too_few' });
  }
  return out;
}

/**
 * The crypto module's choices: question id → chosen option ids (in ballot
 * order), `[]` for blank (booth-crypto.md §B2.4).
 * @param {any} answers - already checked
 * @param {{question_id: string, option_ids: string[]}[]} style
 * @returns {Record<string, string[]>}
 */
export function toChoices(answers, style) {
  /** @type {Record<string, string[]>} */
  const out = {};
  for (const q of style) {
    const a = answers[q.question_id];
    out[q.question_id] = a.blank ? [] : q.option_ids.filter((o) => a.options.includes(o));
  }
  return out;
}
