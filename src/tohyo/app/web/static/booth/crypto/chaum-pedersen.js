/**
 * Chaum–Pedersen proof of equal discrete logs (spec §6.2). Mirrors
 * `tohyo.crypto.proofs.chaum_pedersen`. Statement: X = [x]G and D = [x]A.
 *
 * @module
 */

import { InvalidProof } from './errors.js';
import { GENERATOR, Element, Scalar, baseMul, baseMulPublic } from './group.js';
import { Dst, hashToScalar } from './hashing.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */
/** @typedef {import('./context.js').ProofContext} ProofContext */

/** A challenge c and a response z. Immutable. */
export class EqualityProof {
  /**
   * @param {Scalar} challenge
   * @param {Scalar} response
   */
  constructor(challenge, response) {
    /** @readonly */
    this.challenge = challenge;
    /** @readonly */
    this.response = response;
    Object.freeze(this);
  }

  /** @returns {{c: string, z: string}} */
  toJson() {
    return { c: this.challenge.toHex(), z: this.response.toHex() };
  }

  /**
   * @param {unknown} obj
   * @returns {EqualityProof}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['c', 'z'], 'equality proof');
    return new EqualityProof(json.scalar(f.c, 'equality.c'), json.scalar(f.z, 'equality.z'));
  }
}

/**
 * @param {ProofContext} context
 * @param {Element} x
 * @param {Element} a
 * @param {Element} d
 * @param {Element} t1
 * @param {Element} t2
 * @returns {Scalar}
 */
function challenge(context, x, a, d, t1, t2) {
  return hashToScalar(
    Dst.CHAUM_PEDERSEN,
    ...context.parts(),
    GENERATOR.toBytes(),
    x.toBytes(),
    a.toBytes(),
    d.toBytes(),
    t1.toBytes(),
    t2.toBytes(),
  );
}

/**
 * Prove that `[secret]G` and `[secret]base` share the exponent `secret`.
 * @param {ProofContext} context
 * @param {Scalar} secret
 * @param {Element} base
 * @returns {EqualityProof}
 */
export function proveEquality(context, secret, base) {
  return _proveEquality(context, secret, base, SYSTEM);
}

/**
 * Known-answer seam of {@link proveEquality} (label `chaum-pedersen-commitment`).
 * @param {ProofContext} context
 * @param {Scalar} secret
 * @param {Element} base
 * @param {NonceSource} nonces
 * @returns {EqualityProof}
 */
export function _proveEquality(context, secret, base, nonces) {
  const w = nonces.scalar('chaum-pedersen-commitment');
  const c = challenge(context, baseMul(secret), base, base.mul(secret), baseMul(w), base.mul(w));
  return new EqualityProof(c, w.add(c.mul(secret)));
}

/**
 * Check that log_G(x) = log_base(d).
 * @param {ProofContext} context
 * @param {Element} x
 * @param {Element} base
 * @param {Element} d
 * @param {EqualityProof} proof
 * @throws {InvalidProof} the proof does not verify, or `x` or `base` is the identity
 */
export function verifyEquality(context, x, base, d, proof) {
  if (x.isIdentity() || base.isIdentity()) {
    throw new InvalidProof('chaum-pedersen: degenerate statement (identity)');
  }
  const t1 = baseMulPublic(proof.response).sub(x.mulPublic(proof.challenge));
  const t2 = base.mulPublic(proof.response).sub(d.mulPublic(proof.challenge));
  if (!challenge(context, x, base, d, t1, t2).equals(proof.challenge)) {
    throw new InvalidProof('chaum-pedersen: challenge mismatch');
  }
}
