/**
 * Ballot encryption and verification: the recipe layer (spec §10). Mirrors
 * `tohyo.crypto.ballot` byte for byte.
 *
 * A question is one 0/1 ciphertext per option, one 0/1 blank ciphertext when
 * blank answers are allowed, and a range proof on the weighted total
 * (Σ E_o, plus max·E_blank with blank). Every proof is bound to the context,
 * the voter's credential (already in the context's binding), the question id
 * and the option id.
 *
 * @module
 */

import { Ciphertext, PublicKey, encryptWithNonce, freshNonce } from './elgamal.js';
import { InvalidEncoding, InvalidProof } from './errors.js';
import { Scalar } from './group.js';
import { Dst, digest, encodeParts, utf8 } from './hashing.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';
import { MAX_RANGE_WIDTH, RangeProof, _proveRange, verifyRange } from './range-proof.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */
/** @typedef {import('./context.js').ProofContext} ProofContext */
/**
 * Question id → chosen option ids; an empty list (or a missing question) is a
 * blank answer.
 * @typedef {Record<string, readonly string[]> | Map<string, readonly string[]>} Choices
 */

/** Binding label of the blank flag (spec §4.1, §10.2). */
export const BLANK_LABEL = '#blank';
/** Binding label of the total proof (spec §4.1, §10.2). */
export const TOTAL_LABEL = '#total';
export const MAX_OPTIONS = MAX_RANGE_WIDTH - 1;
export const MAX_QUESTIONS = 64;

/** What the crypto layer knows about one question (spec §10.1). Immutable. */
export class QuestionStyle {
  /**
   * @param {object} fields
   * @param {string} fields.questionId
   * @param {readonly string[]} fields.optionIds - in ballot order
   * @param {number} fields.minSelections
   * @param {number} fields.maxSelections
   * @param {boolean} fields.allowBlank
   * @throws {InvalidEncoding} a malformed style
   */
  constructor({ questionId, optionIds, minSelections, maxSelections, allowBlank }) {
    if (typeof questionId !== 'string' || !questionId || questionId.startsWith('#')) {
      throw new InvalidEncoding("question id must be non-empty and not start with '#'");
    }
    if (!Array.isArray(optionIds) || optionIds.length < 1 || optionIds.length > MAX_OPTIONS) {
      throw new InvalidEncoding(`question ${questionId}: 1..${MAX_OPTIONS} options`);
    }
    const n = optionIds.length;
    if (
      new Set(optionIds).size !== n ||
      optionIds.some((o) => typeof o !== 'string' || !o || o.startsWith('#'))
    ) {
      throw new InvalidEncoding(`question ${questionId}: option ids must be unique`);
    }
    if (
      !Number.isSafeInteger(minSelections) ||
      !Number.isSafeInteger(maxSelections) ||
      !(0 <= minSelections && minSelections <= maxSelections && maxSelections <= n) ||
      maxSelections < 1
    ) {
      throw new InvalidEncoding(`question ${questionId}: need 0 <= min <= max <= options`);
    }
    if (typeof allowBlank !== 'boolean') {
      throw new InvalidEncoding(`question ${questionId}: allow_blank must be a boolean`);
    }
    /** @readonly */
    this.questionId = questionId;
    /** @readonly @type {readonly string[]} */
    this.optionIds = Object.freeze([...optionIds]);
    /** @readonly */
    this.minSelections = minSelections;
    /** @readonly */
    this.maxSelections = maxSelections;
    /** @readonly */
    this.allowBlank = allowBlank;
    Object.freeze(this);
  }

  /**
   * [lo, hi] of the weighted total (spec §10.1).
   * @returns {[number, number]}
   */
  totalRange() {
    // An empty answer is a blank answer (spec §10.1): the floor is 1 either way.
    return [Math.max(this.minSelections, 1), this.maxSelections];
  }

  /**
   * From the JSON form `{question_id, option_ids, min_selections,
   * max_selections, allow_blank}` (docs/spec/booth-crypto.md).
   * @param {unknown} obj
   * @returns {QuestionStyle}
   */
  static fromJson(obj) {
    const f = json.expectObject(
      obj,
      ['question_id', 'option_ids', 'min_selections', 'max_selections', 'allow_blank'],
      'question style',
    );
    return new QuestionStyle({
      questionId: /** @type {string} */ (f.question_id),
      optionIds: /** @type {string[]} */ (f.option_ids),
      minSelections: /** @type {number} */ (f.min_selections),
      maxSelections: /** @type {number} */ (f.max_selections),
      allowBlank: /** @type {boolean} */ (f.allow_blank),
    });
  }
}

/** The questions of a ballot, in manifest order (spec §10.1). Immutable. */
export class BallotStyle {
  /**
   * @param {readonly QuestionStyle[]} questions
   * @throws {InvalidEncoding} 0 or more than 64 questions, or repeated ids
   */
  constructor(questions) {
    const ids = questions.map((q) => q.questionId);
    if (ids.length < 1 || ids.length > MAX_QUESTIONS || new Set(ids).size !== ids.length) {
      throw new InvalidEncoding(`ballot style: 1..${MAX_QUESTIONS} questions, unique ids`);
    }
    /** @readonly @type {readonly QuestionStyle[]} */
    this.questions = Object.freeze([...questions]);
    Object.freeze(this);
  }

  /**
   * From `{"questions": [question style, …]}`.
   * @param {unknown} obj
   * @returns {BallotStyle}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['questions'], 'ballot style');
    const qs = json.expectList(f.questions, 'ballot style.questions', MAX_QUESTIONS);
    return new BallotStyle(qs.map((q) => QuestionStyle.fromJson(q)));
  }
}

/** One encrypted bit and its [0, 1] proof. */
export class EncryptedSelection {
  /**
   * @param {Ciphertext} ciphertext
   * @param {RangeProof} proof
   */
  constructor(ciphertext, proof) {
    /** @readonly */
    this.ciphertext = ciphertext;
    /** @readonly */
    this.proof = proof;
    Object.freeze(this);
  }

  toJson() {
    return { ct: this.ciphertext.toJson(), proof: this.proof.toJson() };
  }

  /**
   * @param {unknown} obj
   * @returns {EncryptedSelection}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['ct', 'proof'], 'selection');
    return new EncryptedSelection(Ciphertext.fromJson(f.ct), RangeProof.fromJson(f.proof));
  }
}

/** One encrypted question. */
export class EncryptedQuestion {
  /**
   * @param {string} questionId
   * @param {readonly EncryptedSelection[]} selections
   * @param {EncryptedSelection | null} blank
   * @param {RangeProof} totalProof
   */
  constructor(questionId, selections, blank, totalProof) {
    /** @readonly */
    this.questionId = questionId;
    /** @readonly @type {readonly EncryptedSelection[]} */
    this.selections = Object.freeze([...selections]);
    /** @readonly */
    this.blank = blank;
    /** @readonly */
    this.totalProof = totalProof;
    Object.freeze(this);
  }

  /**
   * The weighted total whose range the total proof shows (spec §10.1).
   * @param {QuestionStyle} style
   * @returns {Ciphertext}
   */
  total(style) {
    let acc = this.selections[0].ciphertext;
    for (const sel of this.selections.slice(1)) acc = acc.add(sel.ciphertext);
    if (this.blank !== null) {
      const ct = this.blank.ciphertext;
      acc = acc.add(
        style.maxSelections === 1 ? ct : ct.scale(Scalar.fromInt(style.maxSelections)),
      );
    }
    return acc;
  }

  toJson() {
    return {
      id: this.questionId,
      selections: this.selections.map((s) => s.toJson()),
      blank: this.blank === null ? null : this.blank.toJson(),
      total_proof: this.totalProof.toJson(),
    };
  }

  /**
   * @param {unknown} obj
   * @returns {EncryptedQuestion}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['id', 'selections', 'blank', 'total_proof'], 'question');
    const id = json.expectString(f.id, 'question.id');
    const selections = json
      .expectList(f.selections, 'question.selections', MAX_OPTIONS, 1)
      .map((s) => EncryptedSelection.fromJson(s));
    const blank = f.blank === null ? null : EncryptedSelection.fromJson(f.blank);
    return new EncryptedQuestion(id, selections, blank, RangeProof.fromJson(f.total_proof));
  }
}

/** An encrypted ballot: the questions in style order (spec §10.2). */
export class EncryptedBallot {
  /** @param {readonly EncryptedQuestion[]} questions */
  constructor(questions) {
    /** @readonly @type {readonly EncryptedQuestion[]} */
    this.questions = Object.freeze([...questions]);
    Object.freeze(this);
  }

  toJson() {
    return { questions: this.questions.map((q) => q.toJson()) };
  }

  /**
   * Strict decoding of the JSON form of spec §10.2.
   * @param {unknown} obj
   * @returns {EncryptedBallot}
   * @throws {InvalidEncoding}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['questions'], 'ballot');
    const qs = json.expectList(f.questions, 'ballot.questions', MAX_QUESTIONS, 1);
    return new EncryptedBallot(qs.map((q) => EncryptedQuestion.fromJson(q)));
  }
}

/**
 * @param {Choices} choices
 * @returns {Map<string, readonly string[]>}
 */
function choiceMap(choices) {
  if (choices instanceof Map) return new Map(choices);
  if (typeof choices !== 'object' || choices === null || Array.isArray(choices)) {
    throw new InvalidEncoding('choices: expected an object of question id → option ids');
  }
  return new Map(Object.entries(choices));
}

/**
 * Refuse bad choices before anything is encrypted (spec §10.2).
 * @param {BallotStyle} style
 * @param {Map<string, readonly string[]>} choices
 */
function checkChoices(style, choices) {
  const known = new Set(style.questions.map((q) => q.questionId));
  const unknown = [...choices.keys()].filter((k) => !known.has(k));
  if (unknown.length) throw new InvalidEncoding(`unknown questions: ${JSON.stringify(unknown)}`);
  for (const q of style.questions) {
    const chosen = choices.has(q.questionId) ? choices.get(q.questionId) : [];
    if (!Array.isArray(chosen) || chosen.some((o) => typeof o !== 'string')) {
      throw new InvalidEncoding(`question ${q.questionId}: expected a list of option ids`);
    }
    const options = new Set(q.optionIds);
    if (new Set(chosen).size !== chosen.length || chosen.some((o) => !options.has(o))) {
      throw new InvalidEncoding(`question ${q.questionId}: unknown or repeated options`);
    }
    if (chosen.length === 0) {
      if (q.allowBlank) continue;
      throw new InvalidEncoding(`question ${q.questionId}: a blank answer is not allowed`);
    }
    if (chosen.length < q.minSelections || chosen.length > q.maxSelections) {
      throw new InvalidEncoding(`question ${q.questionId}: wrong number of selections`);
    }
  }
}

/**
 * The encryption nonces of one question, in ballot order: what an audit reveals.
 * @typedef {{questionId: string, selections: readonly Scalar[], blank: Scalar | null}} QuestionNonces
 */

/**
 * Encrypt a voter's choices with proofs (spec §10.2), with the CSPRNG.
 * @param {ProofContext} context - the election context bound to the voter's credential
 * @param {PublicKey} key - the joint election key
 * @param {BallotStyle} style
 * @param {Choices} choices
 * @returns {EncryptedBallot}
 * @throws {InvalidEncoding} unknown question or option, duplicates, a count
 *   outside min..max, or a blank answer where none is allowed
 */
export function encryptBallot(context, key, style, choices) {
  return _encryptBallotWithNonces(context, key, style, choices, SYSTEM).ballot;
}

/**
 * Known-answer seam of {@link encryptBallot}: draws from `nonces` in the order
 * of `tohyo.crypto.ballot._encrypt_ballot`.
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {Choices} choices
 * @param {NonceSource} nonces
 * @returns {EncryptedBallot}
 */
export function _encryptBallot(context, key, style, choices, nonces) {
  return _encryptBallotWithNonces(context, key, style, choices, nonces).ballot;
}

/**
 * Encrypt, and also return the ElGamal nonces (secret: for the audit only).
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {Choices} choices
 * @param {NonceSource} nonces
 * @returns {{ballot: EncryptedBallot, nonces: QuestionNonces[]}}
 */
export function _encryptBallotWithNonces(context, key, style, choices, nonces) {
  if (!(key instanceof PublicKey)) throw new InvalidEncoding('key: expected a PublicKey');
  const chosenBy = choiceMap(choices);
  checkChoices(style, chosenBy);
  /** @type {EncryptedQuestion[]} */
  const questions = [];
  /** @type {QuestionNonces[]} */
  const revealed = [];
  for (const q of style.questions) {
    const chosen = new Set(chosenBy.get(q.questionId) ?? []);
    /**
     * @param {number} bit
     * @param {string} label
     * @returns {[EncryptedSelection, Scalar]}
     */
    const encryptBit = (bit, label) => {
      const r = freshNonce(nonces);
      const ct = encryptWithNonce(key, bit, r);
      const ctx = context.bound(q.questionId, label);
      return [new EncryptedSelection(ct, _proveRange(ctx, key, ct, bit, r, 0, 1, nonces)), r];
    };
    /** @type {EncryptedSelection[]} */
    const selections = [];
    /** @type {Scalar[]} */
    const selectionNonces = [];
    let totalNonce = Scalar.fromInt(0);
    let totalValue = 0;
    for (const option of q.optionIds) {
      const bit = chosen.has(option) ? 1 : 0;
      const [sel, r] = encryptBit(bit, option);
      selections.push(sel);
      selectionNonces.push(r);
      totalNonce = totalNonce.add(r);
      totalValue += bit;
    }
    /** @type {EncryptedSelection | null} */
    let blank = null;
    /** @type {Scalar | null} */
    let blankNonce = null;
    if (q.allowBlank) {
      const bit = chosen.size === 0 ? 1 : 0;
      [blank, blankNonce] = encryptBit(bit, BLANK_LABEL);
      totalNonce = totalNonce.add(blankNonce.mul(Scalar.fromInt(q.maxSelections)));
      totalValue += bit * q.maxSelections;
    }
    const partial = new EncryptedQuestion(q.questionId, selections, blank, EMPTY_PROOF);
    const [lo, hi] = q.totalRange();
    const totalProof = _proveRange(
      context.bound(q.questionId, TOTAL_LABEL),
      key,
      partial.total(q),
      totalValue,
      totalNonce,
      lo,
      hi,
      nonces,
    );
    questions.push(new EncryptedQuestion(q.questionId, selections, blank, totalProof));
    revealed.push({ questionId: q.questionId, selections: selectionNonces, blank: blankNonce });
  }
  return { ballot: new EncryptedBallot(questions), nonces: revealed };
}

const EMPTY_PROOF = new RangeProof([], []);

/**
 * Check a ballot's shape against the style and every proof (spec §10.3).
 * @param {ProofContext} context - bound to the voter's credential
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {EncryptedBallot} ballot
 * @throws {InvalidProof} wrong shape (questions, options, blank flag) or a failing proof
 */
export function verifyBallot(context, key, style, ballot) {
  if (ballot.questions.length !== style.questions.length) {
    throw new InvalidProof('ballot: wrong number of questions');
  }
  style.questions.forEach((q, i) => {
    const eq = ballot.questions[i];
    if (eq.questionId !== q.questionId) {
      throw new InvalidProof(`ballot: expected question ${q.questionId}`);
    }
    if (eq.selections.length !== q.optionIds.length) {
      throw new InvalidProof(`question ${q.questionId}: wrong number of selections`);
    }
    if ((eq.blank !== null) !== q.allowBlank) {
      throw new InvalidProof(`question ${q.questionId}: blank flag present iff allowed`);
    }
    q.optionIds.forEach((option, j) => {
      const sel = eq.selections[j];
      verifyRange(context.bound(q.questionId, option), key, sel.ciphertext, sel.proof, 0, 1);
    });
    if (eq.blank !== null) {
      const ctx = context.bound(q.questionId, BLANK_LABEL);
      verifyRange(ctx, key, eq.blank.ciphertext, eq.blank.proof, 0, 1);
    }
    const [lo, hi] = q.totalRange();
    const ctx = context.bound(q.questionId, TOTAL_LABEL);
    verifyRange(ctx, key, eq.total(q), eq.totalProof, lo, hi);
  });
}

/**
 * The 32-byte ballot hash behind the tracking code (spec §10.4).
 * @param {ProofContext} context - bound to the voter's credential
 * @param {EncryptedBallot} ballot
 * @returns {Uint8Array}
 */
export function ballotHash(context, ballot) {
  const parts = [...context.parts()];
  for (const q of ballot.questions) {
    parts.push(utf8(q.questionId));
    const sels = q.blank === null ? q.selections : [...q.selections, q.blank];
    parts.push(encodeParts(...sels.map(selectionBytes)));
    parts.push(proofBytes(q.totalProof));
  }
  return digest(Dst.BALLOT_TRACKER, ...parts).slice(0, 32);
}

/**
 * @param {EncryptedSelection} sel
 * @returns {Uint8Array}
 */
function selectionBytes(sel) {
  return encodeParts(
    sel.ciphertext.alpha.toBytes(),
    sel.ciphertext.beta.toBytes(),
    proofBytes(sel.proof),
  );
}

/**
 * @param {RangeProof} proof
 * @returns {Uint8Array}
 */
function proofBytes(proof) {
  return encodeParts(
    encodeParts(...proof.challenges.map((c) => c.toBytes())),
    encodeParts(...proof.responses.map((z) => z.toBytes())),
  );
}
