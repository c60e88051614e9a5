/**
 * Typed failures of the booth's crypto modules (docs/spec/protocol.md §1.4).
 *
 * They mirror the Python classes of `tohyo.crypto.errors`: decoders and
 * verifiers never return a failure value, they throw one of these. The `name`
 * of each class equals the Python class name, so tests can compare them.
 *
 * @module
 */

/** Base class of every error thrown by the booth's crypto modules. */
export class CryptoError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'CryptoError';
  }
}

/** Bytes or text that are not the one canonical encoding of a value. */
export class InvalidEncoding extends CryptoError {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InvalidEncoding';
  }
}

/** A key that is malformed or degenerate (the identity). */
export class InvalidKey extends CryptoError {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InvalidKey';
  }
}

/** A zero-knowledge proof, ballot or audit opening that does not verify. */
export class InvalidProof extends CryptoError {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InvalidProof';
  }
}
