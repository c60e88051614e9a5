/**
 * The prime-order group ristretto255 and its scalars (hazmat; spec §2).
 *
 * All curve arithmetic is `@noble/curves`'s (spec §2.1); this module only wraps
 * it in typed values and enforces the encoding rules:
 *
 * - an {@link Element} is the 32-byte canonical ristretto255 encoding; decoding
 *   applies every check of RFC 9496 §4.3.1 (noble's `fromBytes`) and refuses the
 *   identity unless the caller allows it (§2.2);
 * - a {@link Scalar} is 32 bytes little-endian, strictly below ℓ (§2.3).
 *
 * Mirrors `tohyo.crypto.group`. Most callers want the ElGamal, proof and ballot
 * modules instead.
 *
 * @module
 */

import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';

import { fromHex, toHex } from './bytes.js';
import { InvalidEncoding } from './errors.js';

const Point = ristretto255.Point;
const Fn = Point.Fn;
/** RFC 9496 §4.3.4, the one-way map (element derivation) from 64 bytes. */
const deriveToCurve = (() => {
  const derive = ristretto255_hasher.deriveToCurve;
  if (derive === undefined) throw new Error('@noble/curves: no ristretto255 deriveToCurve');
  return derive;
})();

/** ℓ, the order of ristretto255 (RFC 9496 §4.1). */
export const ORDER = Fn.ORDER;
export const ELEMENT_BYTES = 32;
export const SCALAR_BYTES = 32;

/**
 * @param {Uint8Array} bytes
 * @returns {bigint}
 */
function intLE(bytes) {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** An integer modulo ℓ (spec §2.3). Immutable. */
export class Scalar {
  /** @type {bigint} */
  #value;

  /**
   * @param {bigint} value - already in [0, ℓ)
   * @throws {InvalidEncoding} a value outside [0, ℓ)
   */
  constructor(value) {
    if (typeof value !== 'bigint' || value < 0n || value >= ORDER) {
      throw new InvalidEncoding('scalar: not in [0, ℓ)');
    }
    this.#value = value;
    Object.freeze(this);
  }

  /**
   * Decode a canonical scalar: 32 bytes little-endian, value below ℓ (§2.3).
   * @param {Uint8Array} bytes
   * @returns {Scalar}
   * @throws {InvalidEncoding} wrong length, or a value ≥ ℓ
   */
  static fromBytes(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== SCALAR_BYTES) {
      throw new InvalidEncoding('scalar: expected 32 bytes');
    }
    const value = intLE(bytes);
    if (value >= ORDER) throw new InvalidEncoding('scalar: not reduced modulo the group order');
    return new Scalar(value);
  }

  /**
   * @param {unknown} text - 64 lowercase hex digits
   * @returns {Scalar}
   * @throws {InvalidEncoding}
   */
  static fromHex(text) {
    return Scalar.fromBytes(fromHex(text, SCALAR_BYTES, 'scalar'));
  }

  /**
   * The scalar `value mod ℓ`, for public integers.
   * @param {number | bigint} value - a safe integer or a bigint
   * @returns {Scalar}
   */
  static fromInt(value) {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new InvalidEncoding('scalar: not an integer');
    }
    return new Scalar(Fn.create(BigInt(value)));
  }

  /**
   * Reduce 64 uniform bytes, read little-endian, modulo ℓ (§1.3, §3.3).
   * @param {Uint8Array} bytes
   * @returns {Scalar}
   */
  static fromWideBytes(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
      throw new InvalidEncoding('wide scalar: expected 64 bytes');
    }
    return new Scalar(Fn.create(intLE(bytes)));
  }

  /** @returns {Uint8Array} 32 bytes little-endian */
  toBytes() {
    const out = new Uint8Array(SCALAR_BYTES);
    let n = this.#value;
    for (let i = 0; i < SCALAR_BYTES; i++) {
      out[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    return out;
  }

  /** @returns {string} */
  toHex() {
    return toHex(this.toBytes());
  }

  /** @returns {bigint} */
  toBigInt() {
    return this.#value;
  }

  /** @returns {boolean} */
  isZero() {
    return this.#value === 0n;
  }

  /** @param {Scalar} other @returns {boolean} */
  equals(other) {
    return this.#value === other.#value;
  }

  /** @param {Scalar} other @returns {Scalar} */
  add(other) {
    return new Scalar(Fn.add(this.#value, other.#value));
  }

  /** @param {Scalar} other @returns {Scalar} */
  sub(other) {
    return new Scalar(Fn.sub(this.#value, other.#value));
  }

  /** @param {Scalar} other @returns {Scalar} */
  mul(other) {
    return new Scalar(Fn.mul(this.#value, other.#value));
  }

  /** @returns {Scalar} */
  neg() {
    return new Scalar(Fn.neg(this.#value));
  }

  /** Scalars are often secret: never print them. */
  toString() {
    return 'Scalar(<redacted>)';
  }

  toJSON() {
    throw new TypeError('Scalar: serialise explicitly with toHex()');
  }
}

/** A ristretto255 element, with its canonical encoding (spec §2.2). Immutable. */
export class Element {
  /** @type {InstanceType<typeof Point>} */
  #point;
  /** @type {Uint8Array | null} */
  #bytes;

  /**
   * Internal: use {@link Element.fromBytes}, {@link baseMul} or the arithmetic.
   * @param {InstanceType<typeof Point>} point
   * @param {Uint8Array | null} [bytes] - its encoding, when already known
   */
  constructor(point, bytes = null) {
    this.#point = point;
    this.#bytes = bytes;
  }

  /**
   * Decode a canonical ristretto255 encoding (RFC 9496 §4.3.1, spec §2.2).
   * @param {Uint8Array} bytes
   * @param {{allowIdentity?: boolean}} [options]
   * @returns {Element}
   * @throws {InvalidEncoding} wrong length, a non-canonical or invalid encoding,
   *   or the identity where it is not allowed
   */
  static fromBytes(bytes, { allowIdentity = false } = {}) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== ELEMENT_BYTES) {
      throw new InvalidEncoding('element: expected 32 bytes');
    }
    let point;
    try {
      point = Point.fromBytes(bytes);
    } catch {
      throw new InvalidEncoding('element: not a canonical ristretto255 encoding');
    }
    const element = new Element(point, Uint8Array.from(bytes));
    if (!allowIdentity && element.isIdentity()) {
      throw new InvalidEncoding('element: the identity is not allowed here');
    }
    return element;
  }

  /**
   * @param {unknown} text - 64 lowercase hex digits
   * @param {{allowIdentity?: boolean}} [options]
   * @returns {Element}
   * @throws {InvalidEncoding}
   */
  static fromHex(text, options = {}) {
    return Element.fromBytes(fromHex(text, ELEMENT_BYTES, 'element'), options);
  }

  /**
   * The one-way map of RFC 9496 §4.3.4 on 64 uniform bytes (spec §3.4).
   * @param {Uint8Array} bytes
   * @returns {Element}
   */
  static fromUniformBytes(bytes) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
      throw new InvalidEncoding('element: the one-way map takes 64 bytes');
    }
    return new Element(deriveToCurve(bytes));
  }

  /** @returns {Uint8Array} the 32-byte canonical encoding (a fresh copy) */
  toBytes() {
    if (this.#bytes === null) this.#bytes = this.#point.toBytes();
    return Uint8Array.from(this.#bytes);
  }

  /** @returns {string} */
  toHex() {
    return toHex(this.toBytes());
  }

  /** @returns {boolean} */
  isIdentity() {
    return this.#point.equals(Point.ZERO);
  }

  /** @param {Element} other @returns {boolean} */
  equals(other) {
    return this.#point.equals(other.#point);
  }

  /** @param {Element} other @returns {Element} */
  add(other) {
    return new Element(this.#point.add(other.#point));
  }

  /** @param {Element} other @returns {Element} */
  sub(other) {
    return new Element(this.#point.subtract(other.#point));
  }

  /** @returns {Element} */
  neg() {
    return new Element(this.#point.negate());
  }

  /**
   * `[scalar]this` for a secret scalar (noble's constant-time ladder).
   * @param {Scalar} scalar
   * @returns {Element}
   */
  mul(scalar) {
    if (scalar.isZero()) return IDENTITY;
    return new Element(this.#point.multiply(scalar.toBigInt()));
  }

  /**
   * `[scalar]this` for a public scalar (faster, variable time): verification only.
   * @param {Scalar} scalar
   * @returns {Element}
   */
  mulPublic(scalar) {
    return new Element(this.#point.multiplyUnsafe(scalar.toBigInt()));
  }

  /**
   * Precompute multiples of this element to speed up later multiplications by
   * it (used for the election key, which every encryption multiplies).
   * @returns {Element} this
   */
  precompute() {
    this.#point.precompute(8, false);
    return this;
  }

  toString() {
    return `Element(${this.toHex()})`;
  }
}

/** The identity element (encodes as 32 zero bytes). */
export const IDENTITY = new Element(Point.ZERO);
/** The ristretto255 generator G (RFC 9496 §4.4). */
export const GENERATOR = new Element(Point.BASE);

/**
 * `[scalar]G` for a secret scalar, with noble's fixed-base tables.
 * @param {Scalar} scalar
 * @returns {Element}
 */
export function baseMul(scalar) {
  return GENERATOR.mul(scalar);
}

/**
 * `[scalar]G` for a public scalar (variable time).
 * @param {Scalar} scalar
 * @returns {Element}
 */
export function baseMulPublic(scalar) {
  return GENERATOR.mulPublic(scalar);
}
