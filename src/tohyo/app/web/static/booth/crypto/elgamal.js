/**
 * Exponential ElGamal over ristretto255 (spec §5). Mirrors `tohyo.crypto.elgamal`.
 *
 * A message m is encoded as [m]G, so ciphertexts add homomorphically.
 *
 * @module
 */

import { InvalidEncoding, InvalidKey } from './errors.js';
import { Element, IDENTITY, Scalar, baseMul, baseMulPublic } from './group.js';
import * as json from './json.js';
import { SYSTEM } from './nonces.js';

/** @typedef {import('./nonces.js').NonceSource} NonceSource */

/** Largest message a single encryption may carry (spec §5.2). */
export const MAX_MESSAGE = 2 ** 32;

/** An election public key K = [x]G; never the identity (spec §5.1). */
export class PublicKey {
  /**
   * @param {Element} element
   * @throws {InvalidKey} the identity
   */
  constructor(element) {
    if (!(element instanceof Element)) throw new InvalidKey('public key: expected an Element');
    if (element.isIdentity()) throw new InvalidKey('public key: the identity is not a key');
    /** @readonly */
    this.element = element.precompute();
    Object.freeze(this);
  }

  /**
   * @param {unknown} text
   * @returns {PublicKey}
   * @throws {InvalidKey} a bad encoding or the identity
   */
  static fromHex(text) {
    let element;
    try {
      element = Element.fromHex(text);
    } catch (exc) {
      throw new InvalidKey(`public key: ${/** @type {Error} */ (exc).message}`);
    }
    return new PublicKey(element);
  }

  /** @returns {string} */
  toHex() {
    return this.element.toHex();
  }
}

/** (α, β) = ([r]G, [m]G + [r]K) (spec §5.2). Immutable. */
export class Ciphertext {
  /**
   * @param {Element} alpha
   * @param {Element} beta
   */
  constructor(alpha, beta) {
    /** @readonly */
    this.alpha = alpha;
    /** @readonly */
    this.beta = beta;
    Object.freeze(this);
  }

  /**
   * Homomorphic addition: encrypts the sum of the messages (spec §5.3).
   * @param {Ciphertext} other
   * @returns {Ciphertext}
   */
  add(other) {
    return new Ciphertext(this.alpha.add(other.alpha), this.beta.add(other.beta));
  }

  /**
   * Encrypts `factor × m` (spec §5.3); `factor` is public.
   * @param {Scalar} factor
   * @returns {Ciphertext}
   */
  scale(factor) {
    return new Ciphertext(this.alpha.mulPublic(factor), this.beta.mulPublic(factor));
  }

  /** @returns {{alpha: string, beta: string}} */
  toJson() {
    return { alpha: this.alpha.toHex(), beta: this.beta.toHex() };
  }

  /**
   * Decode a ciphertext (spec §5.2). A cast ciphertext with α = identity is
   * refused (r = 0 shows the message); aggregates may hold the identity.
   * @param {unknown} obj
   * @param {{aggregate?: boolean}} [options]
   * @returns {Ciphertext}
   * @throws {InvalidEncoding}
   */
  static fromJson(obj, { aggregate = false } = {}) {
    const f = json.expectObject(obj, ['alpha', 'beta'], 'ciphertext');
    const alpha = json.element(f.alpha, 'ciphertext.alpha', { allowIdentity: aggregate });
    const beta = json.element(f.beta, 'ciphertext.beta', { allowIdentity: true });
    return new Ciphertext(alpha, beta);
  }
}

/**
 * [m]G for a small non-negative public message.
 * @param {number} m
 * @returns {Element}
 */
export function encodeMessage(m) {
  if (!Number.isSafeInteger(m) || m < 0 || m > MAX_MESSAGE) {
    throw new InvalidEncoding(`message must be in [0, ${MAX_MESSAGE}]`);
  }
  return m === 0 ? IDENTITY : baseMulPublic(Scalar.fromInt(m));
}

/**
 * A fresh non-zero encryption nonce (label `elgamal-nonce`).
 * @param {NonceSource} nonces
 * @returns {Scalar}
 */
export function freshNonce(nonces) {
  let r = nonces.scalar('elgamal-nonce');
  // r = 0 would publish [m]G in the clear; the chance is 2^-252 but it is free to exclude.
  while (r.isZero()) r = nonces.scalar('elgamal-nonce');
  return r;
}

/**
 * Known-answer seam: encryption with a given nonce (spec §5.2).
 * @param {PublicKey} key
 * @param {number} m
 * @param {Scalar} r - secret, non-zero
 * @returns {Ciphertext}
 */
export function encryptWithNonce(key, m, r) {
  if (r.isZero()) throw new InvalidEncoding('nonce must not be zero');
  return new Ciphertext(baseMul(r), encodeMessage(m).add(key.element.mul(r)));
}

/**
 * Encrypt `m` under `key` with a fresh nonce; returns the nonce too (it opens
 * the ciphertext: keep it secret, or reveal it only in an audit).
 * @param {PublicKey} key
 * @param {number} m
 * @returns {{ciphertext: Ciphertext, nonce: Scalar}}
 */
export function encrypt(key, m) {
  const nonce = freshNonce(SYSTEM);
  return { ciphertext: encryptWithNonce(key, m, nonce), nonce };
}
