/**
 * Schnorr proof of knowledge of a discrete log (spec §6.1). Mirrors
 * `tohyo.crypto.proofs.schnorr`. The booth does not need it to vote; it is here
 * so that a browser can check trustee key proofs and for the shared vectors.
 *
 * @module
 */

import { InvalidEncoding, InvalidProof } from './errors.js';
import { GENERATOR, Element, Scalar, baseMul, baseMulPublic } from './group.js';
import { Dst, hashToScalar } from './hashing.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */
/** @typedef {import('./context.js').ProofContext} ProofContext */

/** A challenge c and a response z. Immutable. */
export class SchnorrProof {
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
   * @returns {SchnorrProof}
   */
  static fromJson(obj) {
    const f = json.expectObject(obj, ['c', 'z'], 'schnorr proof');
    return new SchnorrProof(json.scalar(f.c, 'schnorr.c'), json.scalar(f.z, 'schnorr.z'));
  }
}

/**
 * @param {ProofContext} context
 * @param {Element} pub
 * @param {Element} commitment
 * @returns {Scalar}
 */
function challenge(context, pub, commitment) {
  return hashToScalar(
    Dst.SCHNORR,
    ...context.parts(),
    GENERATOR.toBytes(),
    pub.toBytes(),
    commitment.toBytes(),
  );
}

/**
 * Prove knowledge of `secret` for the public value `[secret]G`.
 * @param {ProofContext} context
 * @param {Scalar} secret
 * @returns {SchnorrProof}
 */
export function proveKnowledge(context, secret) {
  return _proveKnowledge(context, secret, SYSTEM);
}

/**
 * Known-answer seam of {@link proveKnowledge} (label `schnorr-commitment`).
 * @param {ProofContext} context
 * @param {Scalar} secret
 * @param {NonceSource} nonces
 * @returns {SchnorrProof}
 */
export function _proveKnowledge(context, secret, nonces) {
  if (secret.isZero()) throw new InvalidEncoding('schnorr: the secret must not be zero');
  const w = nonces.scalar('schnorr-commitment');
  const c = challenge(context, baseMul(secret), baseMul(w));
  return new SchnorrProof(c, w.add(c.mul(secret)));
}

/**
 * Check the proof for `pub`.
 * @param {ProofContext} context
 * @param {Element} pub
 * @param {SchnorrProof} proof
 * @throws {InvalidProof} the proof does not verify, or `pub` is the identity
 */
export function verifyKnowledge(context, pub, proof) {
  if (pub.isIdentity()) throw new InvalidProof('schnorr: the public value is the identity');
  const commitment = baseMulPublic(proof.response).sub(pub.mulPublic(proof.challenge));
  if (!challenge(context, pub, commitment).equals(proof.challenge)) {
    throw new InvalidProof('schnorr: challenge mismatch');
  }
}
