/**
 * Signed notes and checkpoints of the ballot box's log (docs/spec/transparency-log.md
 * §TL-4, §TL-5), verified in the browser with Ed25519 from @noble/curves.
 * Failures throw {@link NoteError}.
 * @module
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64 } from './merkle.js';

export class NoteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NoteError';
  }
}

const SIG_ED25519 = 0x01;
const encoder = new TextEncoder();

/**
 * The key ID: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian (§TL-4.2).
 * @param {string} name
 * @param {number} type
 * @param {Uint8Array} key
 */
export function keyId(name, type, key) {
  const n = encoder.encode(name);
  const buf = new Uint8Array(n.length + 2 + key.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf[n.length + 1] = type;
  buf.set(key, n.length + 2);
  const h = sha256(buf);
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/**
 * A verifier key `<name>+<key ID hex>+base64(0x01 ‖ public key)` (§TL-4.4).
 * @param {string} vkey
 * @returns {{name: string, id: number, key: Uint8Array}}
 */
export function parseVerifierKey(vkey) {
  // The name has no '+', the key ID is 8 hex digits; base64 may itself contain '+'.
  const text = vkey.trim();
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first <= 0 || second !== first + 9) throw new NoteError('bad log key');
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const b64 = text.slice(second + 1);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new NoteError('bad log key');
  let blob;
  try {
    blob = fromBase64(b64);
  } catch {
    throw new NoteError('bad log key');
  }
  if (blob.length !== 33 || blob[0] !== SIG_ED25519) throw new NoteError('not an Ed25519 log key');
  const key = blob.subarray(1);
  const id = parseInt(idHex, 16);
  if (keyId(name, SIG_ED25519, key) !== id) throw new NoteError('the log key ID does not match');
  return { name, id, key };
}

/**
 * Parse a signed note strictly enough for the booth, and verify the log's signature.
 * @param {string} note
 * @param {{name: string, id: number, key: Uint8Array}} logKey
 * @returns {string} the signed text (ends with a newline)
 * @throws {NoteError}
 */
export function verifyNote(note, logKey) {
  if (!note.endsWith('\n')) throw new NoteError('a note ends with a newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('a note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith('\u2014 ')) throw new NoteError('bad signature line');
    const fields = line.slice(2).split(' ');
    if (fields.length !== 2) throw new NoteError('bad signature line');
    const [name, b64] = fields;
    let blob;
    try {
      blob = fromBase64(b64);
    } catch {
      throw new NoteError('bad signature encoding');
    }
    if (blob.length < 5) throw new NoteError('signature too short');
    const id = ((blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3]) >>> 0;
    if (name !== logKey.name || id !== logKey.id) continue; // a witness, or another key
    const signature = blob.subarray(4);
    let ok = false;
    try {
      ok = signature.length === 64 && ed25519.verify(signature, encoder.encode(text), logKey.key, { zip215: false });
    } catch {
      ok = false;
    }
    if (!ok) throw new NoteError('the log signature is not valid');
    verified = true;
  }
  if (!verified) throw new NoteError('the note has no signature by the log');
  return text;
}

/**
 * Verify a checkpoint and read it (§TL-5).
 * @param {string} note
 * @param {{name: string, id: number, key: Uint8Array}} logKey - its name is the origin
 * @returns {{origin: string, size: number, root: Uint8Array, timeMs: number}}
 */
export function verifyCheckpoint(note, logKey) {
  const text = verifyNote(note, logKey);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new NoteError('a checkpoint has at least three lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin !== logKey.name) throw new NoteError('the checkpoint is from another log');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new NoteError('bad tree size');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new NoteError('tree size too large');
  let root;
  try {
    root = fromBase64(rootText);
  } catch {
    throw new NoteError('bad root hash');
  }
  if (root.length !== 32) throw new NoteError('bad root hash');
  const time = extensions.find((l) => l.startsWith('tohyo-time-ms '));
  const timeMs = time ? Number(time.slice('tohyo-time-ms '.length)) : NaN;
  return { origin, size, root, timeMs };
}
