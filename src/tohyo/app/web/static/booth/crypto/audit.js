/**
 * The cast-as-intended check: a Benaloh "audit or cast" challenge
 * (docs/spec/booth-crypto.md §B3). Mirrors `tohyo.crypto.audit`.
 *
 * The booth first encrypts and shows the tracking code ({@link prepareBallot}).
 * The voter then either casts the ballot ({@link PreparedBallot#cast}), which
 * forgets the nonces, or audits it ({@link auditBallot}), which reveals the
 * ElGamal nonce of every ciphertext. Anyone holding the audited ballot, the
 * nonces and the election's public parameters can then recompute the choice
 * ({@link openAuditedBallot}), on this device or another one. An audited ballot
 * is spoiled: the server refuses to cast it, and the booth encrypts afresh.
 *
 * @module
 */

import {
  BallotStyle,
  EncryptedBallot,
  _encryptBallotWithNonces,
  ballotHash,
  verifyBallot,
} from './ballot.js';
import { PROTOCOL_VERSION, ProofContext } from './context.js';
import { PublicKey } from './elgamal.js';
import { CryptoError, InvalidEncoding, InvalidProof } from './errors.js';
import { GENERATOR, baseMulPublic } from './group.js';
import { fromHex, toHex } from './bytes.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */
/** @typedef {import('./group.js').Scalar} Scalar */
/** @typedef {import('./ballot.js').Choices} Choices */
/** @typedef {import('./ballot.js').QuestionNonces} QuestionNonces */

const MAX_QUESTIONS = 64;
const MAX_OPTIONS = 255;

/** The ElGamal nonces of one ballot, in ballot order: what an audit reveals. */
export class RevealedNonces {
  /** @param {readonly QuestionNonces[]} questions */
  constructor(questions) {
    /** @readonly @type {readonly QuestionNonces[]} */
    this.questions = Object.freeze(
      questions.map((q) =>
        Object.freeze({
          questionId: q.questionId,
          selections: Object.freeze([...q.selections]),
          blank: q.blank,
        }),
      ),
    );
    Object.freeze(this);
  }

  /**
   * `{"questions": [{"id", "selections": [hex r_o, …], "blank": hex r | null}, …]}`
   * @returns {{questions: {id: string, selections: string[], blank: string | null}[]}}
   */
  toJson() {
    return {
      questions: this.questions.map((q) => ({
        id: q.questionId,
        selections: q.selections.map((r) => r.toHex()),
        blank: q.blank === null ? null : q.blank.toHex(),
      })),
    };
  }

  /**
   * @param {unknown} obj
   * @returns {RevealedNonces}
   * @throws {InvalidEncoding}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['questions'], 'revealed nonces');
    const qs = json.expectList(f.questions, 'revealed nonces.questions', MAX_QUESTIONS);
    return new RevealedNonces(
      qs.map((q) => {
        const g = json.expectObject(q, ['id', 'selections', 'blank'], 'revealed question');
        return {
          questionId: json.expectString(g.id, 'revealed question.id'),
          selections: json.scalarList(g.selections, 'revealed question.selections', MAX_OPTIONS),
          blank: g.blank === null ? null : json.scalar(g.blank, 'revealed question.blank'),
        };
      }),
    );
  }
}

/**
 * What the booth hands over when the voter audits (docs/spec/booth-crypto.md §B3.2).
 * @typedef {object} AuditedBallot
 * @property {string} electionId
 * @property {string} credential
 * @property {EncryptedBallot} ballot
 * @property {Uint8Array} ballotHash
 * @property {RevealedNonces} nonces
 */

/** An encrypted ballot that is not yet cast or audited; it holds the nonces. */
export class PreparedBallot {
  /** @type {RevealedNonces | null} */
  #nonces;

  /**
   * Internal: use {@link prepareBallot}.
   * @param {ProofContext} context
   * @param {EncryptedBallot} ballot
   * @param {RevealedNonces} nonces
   */
  constructor(context, ballot, nonces) {
    /** @readonly */
    this.context = context;
    /** @readonly */
    this.ballot = ballot;
    /** @readonly The 32-byte ballot hash, from which the tracking code is shown. */
    this.ballotHash = ballotHash(context, ballot);
    this.#nonces = nonces;
  }

  /** Whether the ballot was already cast or audited. */
  get spent() {
    return this.#nonces === null;
  }

  /**
   * Give up the nonces and return the ballot to send for casting.
   * @returns {EncryptedBallot}
   * @throws {CryptoError} already cast or audited
   */
  cast() {
    this.#take();
    return this.ballot;
  }

  /**
   * Reveal the nonces. After this the ballot can never be cast.
   * @returns {AuditedBallot}
   * @throws {CryptoError} already cast or audited
   */
  audit() {
    const nonces = this.#take();
    const credential = this.context.binding.length === 1 ? this.context.binding[0] : null;
    if (credential === null) {
      throw new CryptoError('audit: the context must be bound to exactly the credential');
    }
    return Object.freeze({
      electionId: this.context.electionId,
      credential,
      ballot: this.ballot,
      ballotHash: Uint8Array.from(this.ballotHash),
      nonces,
    });
  }

  #take() {
    const nonces = this.#nonces;
    if (nonces === null) throw new CryptoError('ballot: already cast or audited');
    this.#nonces = null;
    return nonces;
  }
}

/**
 * Encrypt the choices and keep the nonces until the voter casts or audits.
 * @param {ProofContext} context - bound to the voter's credential (binding = [credential])
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {Choices} choices
 * @returns {PreparedBallot}
 */
export function prepareBallot(context, key, style, choices) {
  return _prepareBallot(context, key, style, choices, SYSTEM);
}

/**
 * Known-answer seam of {@link prepareBallot}.
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {Choices} choices
 * @param {NonceSource} nonces
 * @returns {PreparedBallot}
 */
export function _prepareBallot(context, key, style, choices, nonces) {
  const out = _encryptBallotWithNonces(context, key, style, choices, nonces);
  return new PreparedBallot(context, out.ballot, new RevealedNonces(out.nonces));
}

/**
 * Audit a prepared ballot: reveal its nonces; it can never be cast afterwards.
 * @param {PreparedBallot} prepared
 * @returns {AuditedBallot}
 */
export function auditBallot(prepared) {
  return prepared.audit();
}

/**
 * The JSON document of an audited ballot (docs/spec/booth-crypto.md §B3.2).
 * @param {AuditedBallot} audited
 */
export function auditedBallotToJson(audited) {
  return {
    version: PROTOCOL_VERSION,
    election_id: audited.electionId,
    credential: audited.credential,
    ballot_hash: toHex(audited.ballotHash),
    ballot: audited.ballot.toJson(),
    nonces: audited.nonces.toJson(),
  };
}

/**
 * Parse the JSON document of an audited ballot (not yet checked: see
 * {@link openAuditedBallot}).
 * @param {unknown} obj
 * @returns {AuditedBallot}
 * @throws {InvalidEncoding}
 */
export function auditedBallotFromJson(obj) {
  const f = json.expectObject(
    obj,
    ['version', 'election_id', 'credential', 'ballot_hash', 'ballot', 'nonces'],
    'audited ballot',
  );
  if (f.version !== PROTOCOL_VERSION) {
    throw new InvalidEncoding(`audited ballot: unsupported version ${JSON.stringify(f.version)}`);
  }
  return Object.freeze({
    electionId: json.expectString(f.election_id, 'audited ballot.election_id'),
    credential: json.expectString(f.credential, 'audited ballot.credential'),
    ballotHash: fromHex(f.ballot_hash, 32, 'audited ballot.ballot_hash'),
    ballot: EncryptedBallot.fromJson(f.ballot),
    nonces: RevealedNonces.fromJson(f.nonces),
  });
}

/**
 * The bit a ciphertext encrypts, given its nonce: α = [r]G and β − [r]K ∈ {0, G}.
 * @param {PublicKey} key
 * @param {import('./elgamal.js').Ciphertext} ct
 * @param {Scalar} r
 * @param {string} where
 * @returns {0 | 1}
 */
function openBit(key, ct, r, where) {
  if (r.isZero() || !baseMulPublic(r).equals(ct.alpha)) {
    throw new InvalidProof(`audit: ${where}: the nonce does not match the ciphertext`);
  }
  const m = ct.beta.sub(key.element.mulPublic(r));
  if (m.isIdentity()) return 0;
  if (m.equals(GENERATOR)) return 1;
  throw new InvalidProof(`audit: ${where}: the ciphertext encrypts neither 0 nor 1`);
}

/**
 * Recompute the choices an audited ballot encodes (docs/spec/booth-crypto.md §B3.3).
 *
 * Verifies the ballot first (so the opening describes a ballot that the server
 * would have accepted), then opens every ciphertext with its revealed nonce.
 * @param {ProofContext} context - bound to the voter's credential
 * @param {PublicKey} key
 * @param {BallotStyle} style
 * @param {EncryptedBallot} ballot
 * @param {RevealedNonces} nonces
 * @returns {Record<string, string[]>} question id → chosen option ids ([] for blank),
 *   in style order
 * @throws {InvalidProof} any mismatch
 */
export function openAuditedBallot(context, key, style, ballot, nonces) {
  verifyBallot(context, key, style, ballot);
  if (nonces.questions.length !== style.questions.length) {
    throw new InvalidProof('audit: wrong number of questions in the revealed nonces');
  }
  /** @type {[string, string[]][]} */
  const out = [];
  style.questions.forEach((q, i) => {
    const eq = ballot.questions[i];
    const rq = nonces.questions[i];
    if (rq.questionId !== q.questionId) {
      throw new InvalidProof(`audit: expected nonces of question ${q.questionId}`);
    }
    if (rq.selections.length !== q.optionIds.length || (rq.blank !== null) !== q.allowBlank) {
      throw new InvalidProof(`audit: question ${q.questionId}: wrong number of nonces`);
    }
    const chosen = q.optionIds.filter((o, j) => {
      const bit = openBit(key, eq.selections[j].ciphertext, rq.selections[j], `${q.questionId}/${o}`);
      return bit === 1;
    });
    let blank = false;
    if (eq.blank !== null && rq.blank !== null) {
      blank = openBit(key, eq.blank.ciphertext, rq.blank, `${q.questionId}/#blank`) === 1;
    }
    const [lo, hi] = q.totalRange();
    const valid = blank ? chosen.length === 0 : lo <= chosen.length && chosen.length <= hi;
    if (!valid) throw new InvalidProof(`audit: question ${q.questionId}: not a valid answer`);
    out.push([q.questionId, chosen]);
  });
  return Object.fromEntries(out);
}

/**
 * Check an audited-ballot document against the election's own parameters and
 * return the choices: the second-device check (`tohyo verify-audit`).
 * @param {AuditedBallot} audited
 * @param {{manifestHash: Uint8Array, key: PublicKey, style: BallotStyle}} election -
 *   taken from the election record, never from the document
 * @param {string} electionId - the election the voter is checking
 * @returns {Record<string, string[]>}
 * @throws {InvalidProof} another election, a hash mismatch, or a bad opening
 */
export function checkAuditedBallot(audited, election, electionId) {
  if (audited.electionId !== electionId) throw new InvalidProof('audit: another election');
  const context = new ProofContext({
    electionId,
    manifestHash: election.manifestHash,
    publicKey: election.key.element,
    binding: [audited.credential],
  });
  const expected = ballotHash(context, audited.ballot);
  if (toHex(expected) !== toHex(audited.ballotHash)) {
    throw new InvalidProof('audit: the ballot hash does not match the ballot');
  }
  return openAuditedBallot(context, election.key, election.style, audited.ballot, audited.nonces);
}

