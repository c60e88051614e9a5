/**
 * Merkle tree proofs of the public ballot box (docs/spec/transparency-log.md
 * §TL-1 to §TL-3): RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency),
 * with SHA-256 from @noble/hashes. Failures throw {@link ProofError}; nothing
 * returns a boolean.
 * @module
 */

import { sha256 } from '@noble/hashes/sha2.js';

export class ProofError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProofError';
  }
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Leaf hash: SHA-256(0x00 ‖ data) (§TL-1.1). */
export function leafHash(data) {
  const buf = new Uint8Array(data.length + 1);
  buf.set(data, 1);
  return sha256(buf);
}

/** Interior node: SHA-256(0x01 ‖ l ‖ r) (§TL-1.2). */
export function nodeHash(left, right) {
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 33);
  return sha256(buf);
}

function check32(hash, what) {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    throw new ProofError(`${what}: a hash must be 32 bytes`);
  }
}

function checkSize(n, what) {
  if (!Number.isSafeInteger(n) || n < 0) throw new ProofError(`${what}: bad number`);
}

/**
 * Verify that `leaf` is leaf `index` of the tree of `size` with `root` (RFC 9162 §2.1.3.2).
 * @param {Uint8Array} leaf - the leaf hash, computed by the caller from the leaf data
 * @param {number} index
 * @param {number} size
 * @param {Uint8Array[]} proof
 * @param {Uint8Array} root - from a verified checkpoint
 * @throws {ProofError}
 */
export function verifyInclusion(leaf, index, size, proof, root) {
  check32(leaf, 'leaf');
  check32(root, 'root');
  proof.forEach((p) => check32(p, 'proof'));
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new ProofError('inclusion: index beyond the tree');
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new ProofError('inclusion: proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('inclusion: proof too short');
  if (!equal(r, root)) throw new ProofError('inclusion: the root does not match');
}

const EMPTY_ROOT = sha256(new Uint8Array(0));

/**
 * Verify that the tree of `size2` with `root2` extends the tree of `size1` with
 * `root1` (RFC 9162 §2.1.4.2, with the rules of §TL-3.2).
 * @throws {ProofError}
 */
export function verifyConsistency(size1, size2, root1, root2, proof) {
  check32(root1, 'old root');
  check32(root2, 'new root');
  proof.forEach((p) => check32(p, 'proof'));
  checkSize(size1, 'old size');
  checkSize(size2, 'new size');
  if (size1 > size2) throw new ProofError('consistency: the old tree is larger');
  if (size1 === 0 && !equal(root1, EMPTY_ROOT)) throw new ProofError('consistency: bad empty root');
  if (size1 === size2) {
    if (proof.length !== 0) throw new ProofError('consistency: proof must be empty');
    if (!equal(root1, root2)) throw new ProofError('consistency: the roots differ');
    return;
  }
  if (size1 === 0) throw new ProofError('consistency: nothing to prove from the empty tree');
  if (proof.length === 0) throw new ProofError('consistency: empty proof');
  let path = proof;
  if ((size1 & (size1 - 1)) === 0) path = [root1, ...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('consistency: proof too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('consistency: proof too short');
  if (!equal(fr, root1) || !equal(sr, root2)) throw new ProofError('consistency: roots do not match');
}

/** Strict base64 to bytes (canonical: re-encoding gives the same text). */
export function fromBase64(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new ProofError('bad base64');
  }
  const bin = atob(text);
  const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  if (toBase64(out) !== text) throw new ProofError('non-canonical base64');
  return out;
}

export function toBase64(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
