/**
 * The one seam through which randomness enters (spec §1.3). Mirrors
 * `tohyo.crypto.randomness`.
 *
 * Production code draws every nonce from {@link SYSTEM}: 64 bytes from
 * `crypto.getRandomValues`, reduced modulo ℓ. {@link DeterministicNonces} exists
 * only for known-answer tests; the production bundle does not export it.
 *
 * @module
 */

import { Scalar } from './group.js';
import { Dst, digest, u64, utf8 } from './hashing.js';

/**
 * @typedef {object} NonceSource
 * @property {(label: string) => Scalar} scalar - a fresh uniformly random
 *   scalar; `label` names its purpose (spec §1.3)
 */

/** Nonces from the platform CSPRNG: the only source in production. */
export class SystemNonces {
  /**
   * @param {string} _label - unused: every nonce is fresh
   * @returns {Scalar}
   */
  scalar(_label) {
    const bytes = new Uint8Array(64);
    globalThis.crypto.getRandomValues(bytes);
    // 64 bytes reduced mod ℓ: statistically uniform (bias < 2^-250).
    const s = Scalar.fromWideBytes(bytes);
    bytes.fill(0);
    return s;
  }
}

/** The system nonce source. */
export const SYSTEM = new SystemNonces();

/**
 * Labelled nonces derived from a seed, for test vectors only (spec §1.3): the
 * n-th request with label `L` yields `hash_to_scalar(TEST_NONCE, seed, utf8(L), u64(n))`.
 */
export class DeterministicNonces {
  /** @type {Uint8Array} */
  #seed;
  /** @type {Map<string, number>} */
  #counters = new Map();

  /** @param {Uint8Array} seed */
  constructor(seed) {
    this.#seed = Uint8Array.from(seed);
  }

  /**
   * @param {string} label
   * @returns {Scalar}
   */
  scalar(label) {
    const n = this.#counters.get(label) ?? 0;
    this.#counters.set(label, n + 1);
    return Scalar.fromWideBytes(digest(Dst.TEST_NONCE, this.#seed, utf8(label), u64(n)));
  }
}
