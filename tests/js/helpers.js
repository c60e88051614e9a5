// Shared helpers for the booth crypto tests (not a test file itself).
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { BallotStyle } from '../../src/tohyo/app/web/static/booth/crypto/ballot.js';
import { fromHex } from '../../src/tohyo/app/web/static/booth/crypto/bytes.js';
import { ProofContext } from '../../src/tohyo/app/web/static/booth/crypto/context.js';
import { PublicKey } from '../../src/tohyo/app/web/static/booth/crypto/elgamal.js';
import { Element } from '../../src/tohyo/app/web/static/booth/crypto/group.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CRYPTO = join(ROOT, 'src/tohyo/app/web/static/booth/crypto');
export const BUNDLE = join(ROOT, 'src/tohyo/app/web/static/booth/dist/tohyo-crypto.js');

/**
 * @param {string} relative - a path under tests/vectors
 * @returns {any}
 */
export function loadVectors(relative) {
  return JSON.parse(readFileSync(join(ROOT, 'tests/vectors', relative), 'utf8'));
}

/**
 * The JSON files of a shared vector folder, or [] while it does not exist yet.
 * @param {string} folder
 * @returns {[string, any][]}
 */
export function vectorFolder(folder) {
  const dir = join(ROOT, 'tests/vectors', folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
}

/** @param {string} hex */
export const bytes = (hex) => fromHex(hex, hex.length / 2, 'test');

/**
 * The ballot context of a vector: election-wide parts bound to the credential.
 * @param {{election_id: string, manifest_hash: string, public_key: string, credential: string}} c
 */
export function ballotContext(c) {
  return new ProofContext({
    electionId: c.election_id,
    manifestHash: bytes(c.manifest_hash),
    publicKey: Element.fromHex(c.public_key),
    binding: [c.credential],
  });
}

/**
 * A proof context with an explicit binding.
 * @param {{election_id: string, manifest_hash: string, public_key: string | null, binding: string[]}} c
 */
export function proofContext(c) {
  return new ProofContext({
    electionId: c.election_id,
    manifestHash: bytes(c.manifest_hash),
    publicKey: c.public_key === null ? null : Element.fromHex(c.public_key),
    binding: c.binding,
  });
}

/** @param {{public_key: string}} c */
export const keyOf = (c) => PublicKey.fromHex(c.public_key);

/** @param {any} s */
export const styleOf = (s) => BallotStyle.fromJson(s);

/**
 * Run `fn` and return the name of the error class it throws, or 'accepted'.
 * Errors that are not CryptoErrors are rethrown: they are bugs.
 * @param {() => unknown} fn
 */
export function outcome(fn) {
  try {
    fn();
  } catch (exc) {
    const name = /** @type {Error} */ (exc).name;
    if (!['InvalidEncoding', 'InvalidProof', 'InvalidKey', 'CryptoError'].includes(name)) throw exc;
    return name;
  }
  return 'accepted';
}
