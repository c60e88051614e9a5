/**
 * Disjunctive proof that a ciphertext encrypts an integer in [lo, hi] (spec §6.3).
 * Mirrors `tohyo.crypto.proofs.range`.
 *
 * One Chaum–Pedersen branch per value j claims that (α, β − [j]G) encrypts zero;
 * the prover simulates every branch but the true one, and the branch challenges
 * must sum to the Fiat–Shamir challenge over the context, the key, the
 * ciphertext, the range and every commitment.
 *
 * @module
 */

import { Ciphertext, PublicKey } from './elgamal.js';
import { InvalidEncoding, InvalidProof } from './errors.js';
import { GENERATOR, Element, Scalar, baseMul, baseMulPublic } from './group.js';
import { Dst, hashToScalar, u64 } from './hashing.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */
/** @typedef {import('./context.js').ProofContext} ProofContext */

/** Most branches one proof may have (spec §6.3). */
export const MAX_RANGE_WIDTH = 256;

const ZERO = Scalar.fromInt(0);

/** Branch challenges c_lo..c_hi and responses z_lo..z_hi. Immutable. */
export class RangeProof {
  /**
   * @param {readonly Scalar[]} challenges
   * @param {readonly Scalar[]} responses
   */
  constructor(challenges, responses) {
    /** @readonly @type {readonly Scalar[]} */
    this.challenges = Object.freeze([...challenges]);
    /** @readonly @type {readonly Scalar[]} */
    this.responses = Object.freeze([...responses]);
    Object.freeze(this);
  }

  /** @returns {{c: string[], z: string[]}} */
  toJson() {
    return { c: this.challenges.map((c) => c.toHex()), z: this.responses.map((z) => z.toHex()) };
  }

  /**
   * @param {unknown} obj
   * @returns {RangeProof}
   * @throws {InvalidEncoding}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['c', 'z'], 'range proof');
    const challenges = json.scalarList(f.c, 'range.c', MAX_RANGE_WIDTH);
    const responses = json.scalarList(f.z, 'range.z', MAX_RANGE_WIDTH);
    if (challenges.length !== responses.length || challenges.length === 0) {
      throw new InvalidEncoding('range proof: c and z must be non-empty and of equal length');
    }
    return new RangeProof(challenges, responses);
  }
}

/**
 * @param {number} lo
 * @param {number} hi
 */
function checkRange(lo, hi) {
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || hi < lo) {
    throw new InvalidEncoding('range: need 0 <= lo <= hi');
  }
  if (hi - lo + 1 > MAX_RANGE_WIDTH) {
    throw new InvalidEncoding(`range: at most ${MAX_RANGE_WIDTH} values`);
  }
}

/**
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {Ciphertext} ct
 * @param {number} lo
 * @param {number} hi
 * @param {Uint8Array[]} commitments - A_lo, B_lo, …, A_hi, B_hi encoded
 * @returns {Scalar}
 */
function challenge(context, key, ct, lo, hi, commitments) {
  return hashToScalar(
    Dst.RANGE,
    ...context.parts(),
    GENERATOR.toBytes(),
    key.element.toBytes(),
    ct.alpha.toBytes(),
    ct.beta.toBytes(),
    u64(lo),
    u64(hi),
    ...commitments,
  );
}

/**
 * β − [j]G: the β of the branch claiming the message is j.
 * @param {Element} beta
 * @param {number} j
 * @returns {Element}
 */
function shiftedBeta(beta, j) {
  return j === 0 ? beta : beta.sub(baseMulPublic(Scalar.fromInt(j)));
}

/**
 * Prove that `ct`, made with `message` and `nonce`, encrypts a value in [lo, hi].
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {Ciphertext} ct
 * @param {number} message
 * @param {Scalar} nonce
 * @param {number} lo
 * @param {number} hi
 * @returns {RangeProof}
 * @throws {InvalidEncoding} a bad range, or `message` outside it
 */
export function proveRange(context, key, ct, message, nonce, lo, hi) {
  return _proveRange(context, key, ct, message, nonce, lo, hi, SYSTEM);
}

/**
 * Known-answer seam of {@link proveRange}: draws from `nonces` in the order of
 * spec §6.3 (one `range-commitment`, then per simulated branch one
 * `range-simulated-challenge` and one `range-simulated-response`).
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {Ciphertext} ct
 * @param {number} message
 * @param {Scalar} nonce
 * @param {number} lo
 * @param {number} hi
 * @param {NonceSource} nonces
 * @returns {RangeProof}
 */
export function _proveRange(context, key, ct, message, nonce, lo, hi, nonces) {
  checkRange(lo, hi);
  if (!Number.isSafeInteger(message) || message < lo || message > hi) {
    throw new InvalidEncoding('range: the message lies outside the range');
  }
  const k = key.element;
  /** @type {Uint8Array[]} */
  const commitments = [];
  /** @type {Scalar[]} */
  const challenges = [];
  /** @type {Scalar[]} */
  const responses = [];
  const w = nonces.scalar('range-commitment');
  for (let j = lo; j <= hi; j++) {
    let a;
    let b;
    if (j === message) {
      a = baseMul(w);
      b = k.mul(w);
      challenges.push(ZERO); // fixed below
      responses.push(ZERO);
    } else {
      // A simulated branch's c_j and z_j are published in the proof, so they
      // may be multiplied in variable time; w, r and m stay constant time.
      const cj = nonces.scalar('range-simulated-challenge');
      const zj = nonces.scalar('range-simulated-response');
      a = baseMulPublic(zj).sub(ct.alpha.mulPublic(cj));
      b = k.mulPublic(zj).sub(shiftedBeta(ct.beta, j).mulPublic(cj));
      challenges.push(cj);
      responses.push(zj);
    }
    commitments.push(a.toBytes(), b.toBytes());
  }
  const c = challenge(context, key, ct, lo, hi, commitments);
  const i = message - lo;
  let cTrue = c;
  challenges.forEach((cj, j) => {
    if (j !== i) cTrue = cTrue.sub(cj);
  });
  challenges[i] = cTrue;
  responses[i] = w.add(cTrue.mul(nonce));
  return new RangeProof(challenges, responses);
}

/**
 * Check that `ct` encrypts a value in [lo, hi] under `key`.
 * @param {ProofContext} context
 * @param {PublicKey} key
 * @param {Ciphertext} ct
 * @param {RangeProof} proof
 * @param {number} lo
 * @param {number} hi
 * @throws {InvalidProof} wrong number of branches, α = identity, or a challenge mismatch
 * @throws {InvalidEncoding} a bad range
 */
export function verifyRange(context, key, ct, proof, lo, hi) {
  checkRange(lo, hi);
  const width = hi - lo + 1;
  if (proof.challenges.length !== width || proof.responses.length !== width) {
    throw new InvalidProof(`range: expected ${width} branches`);
  }
  if (ct.alpha.isIdentity()) throw new InvalidProof('range: α is the identity (a nonce of zero)');
  const k = key.element;
  /** @type {Uint8Array[]} */
  const commitments = [];
  let total = ZERO;
  for (let offset = 0; offset < width; offset++) {
    const cj = proof.challenges[offset];
    const zj = proof.responses[offset];
    const a = baseMulPublic(zj).sub(ct.alpha.mulPublic(cj));
    const b = k.mulPublic(zj).sub(shiftedBeta(ct.beta, lo + offset).mulPublic(cj));
    commitments.push(a.toBytes(), b.toBytes());
    total = total.add(cj);
  }
  if (!challenge(context, key, ct, lo, hi, commitments).equals(total)) {
    throw new InvalidProof('range: challenges do not sum to the Fiat–Shamir challenge');
  }
}
