/**
 * The Fiat–Shamir context every proof binds (spec §4). Mirrors
 * `tohyo.crypto.context.ProofContext`.
 *
 * @module
 */

import { InvalidEncoding } from './errors.js';
import { Element, GENERATOR } from './group.js';
import { encodeParts, utf8 } from './hashing.js';

/** The protocol version hashed into every proof (spec §1.2). */
export const PROTOCOL_VERSION = 'tohyo/1';
/** The group name hashed into every proof (spec §4.1). */
export const GROUP_NAME = 'ristretto255';

/** Election-wide context plus a binding that pins a proof to its place (§4.1). */
export class ProofContext {
  /**
   * @param {object} fields
   * @param {string} fields.electionId - the election's identifier
   * @param {Uint8Array} fields.manifestHash - 32 bytes (manifest.md)
   * @param {Element | null} [fields.publicKey] - the joint election key, or null
   *   before it exists (key generation)
   * @param {readonly string[]} [fields.binding] - labels such as the credential,
   *   the question id and the option id
   * @throws {InvalidEncoding} an empty election id or a manifest hash not of 32 bytes
   */
  constructor({ electionId, manifestHash, publicKey = null, binding = [] }) {
    if (typeof electionId !== 'string' || electionId === '') {
      throw new InvalidEncoding('context: election id is empty');
    }
    if (!(manifestHash instanceof Uint8Array) || manifestHash.length !== 32) {
      throw new InvalidEncoding('context: manifest hash must be 32 bytes');
    }
    if (publicKey !== null && !(publicKey instanceof Element)) {
      throw new InvalidEncoding('context: public key must be an Element or null');
    }
    if (!Array.isArray(binding) || binding.some((b) => typeof b !== 'string')) {
      throw new InvalidEncoding('context: binding labels must be strings');
    }
    /** @readonly */
    this.electionId = electionId;
    /** @readonly */
    this.manifestHash = Uint8Array.from(manifestHash);
    /** @readonly */
    this.publicKey = publicKey;
    /** @readonly @type {readonly string[]} */
    this.binding = Object.freeze([...binding]);
    Object.freeze(this);
  }

  /**
   * This context with `labels` appended to the binding.
   * @param {...string} labels
   * @returns {ProofContext}
   */
  bound(...labels) {
    return new ProofContext({
      electionId: this.electionId,
      manifestHash: this.manifestHash,
      publicKey: this.publicKey,
      binding: [...this.binding, ...labels],
    });
  }

  /**
   * The context as hash parts, in the order of spec §4.1.
   * @returns {Uint8Array[]}
   */
  parts() {
    return [
      utf8(PROTOCOL_VERSION),
      utf8(GROUP_NAME),
      GENERATOR.toBytes(),
      utf8(this.electionId),
      Uint8Array.from(this.manifestHash),
      this.publicKey === null ? new Uint8Array(0) : this.publicKey.toBytes(),
      encodeParts(...this.binding.map(utf8)),
    ];
  }
}
