// The shared vectors of tests/vectors/ristretto255 (RFC 9496 Appendix A) and
// tests/vectors/hashing (protocol.md §1.3, §3, §4.1), which pytest also runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { sha512 } from '@noble/hashes/sha2.js';

import { toHex } from '../../src/tohyo/app/web/static/booth/crypto/bytes.js';
import { ProofContext } from '../../src/tohyo/app/web/static/booth/crypto/context.js';
import { Element, GENERATOR, Scalar, baseMul } from '../../src/tohyo/app/web/static/booth/crypto/group.js';
import { Dst, digest, hashToElement, hashToScalar, utf8 } from '../../src/tohyo/app/web/static/booth/crypto/hashing.js';
import { DeterministicNonces } from '../../src/tohyo/app/web/static/booth/crypto/nonces.js';
import { bytes, outcome, vectorFolder } from './helpers.js';

const ristretto = new Map(vectorFolder('ristretto255'));
const hashing = new Map(vectorFolder('hashing'));
const rfc = ristretto.get('rfc9496.json');
const hv = hashing.get('hashing.json');

describe('RFC 9496 Appendix A', { skip: rfc ? false : 'tests/vectors/ristretto255 not present yet' }, () => {
  it('A.1: [k]B for k = 0..15 encodes as listed and round-trips', () => {
    rfc.generator_multiples.encodings.forEach((/** @type {string} */ hex, /** @type {number} */ k) => {
      assert.equal(baseMul(Scalar.fromInt(k)).toHex(), hex, `[${k}]B`);
      assert.equal(GENERATOR.mulPublic(Scalar.fromInt(k)).toHex(), hex, `[${k}]B public`);
      assert.equal(Element.fromHex(hex, { allowIdentity: true }).toHex(), hex);
    });
  });

  it('A.1 with bit 255 set is refused', () => {
    for (const hex of rfc.generator_multiples.encodings) {
      const high = hex.slice(0, 62) + (parseInt(hex.slice(62), 16) | 0x80).toString(16).padStart(2, '0');
      assert.equal(outcome(() => Element.fromHex(high, { allowIdentity: true })), 'InvalidEncoding', high);
    }
  });

  it('A.2: every bad encoding is refused', () => {
    assert.equal(rfc.invalid_encodings.vectors.length, 29);
    for (const v of rfc.invalid_encodings.vectors) {
      assert.equal(outcome(() => Element.fromHex(v.encoding, { allowIdentity: true })), 'InvalidEncoding', `${v.category}: ${v.encoding}`);
    }
  });

  it('A.3: the one-way map', () => {
    for (const v of rfc.one_way_map.vectors) {
      assert.equal(toHex(sha512(utf8(v.label))), v.input);
      assert.equal(Element.fromUniformBytes(bytes(v.input)).toHex(), v.output, v.label);
    }
    const outputs = new Set(rfc.one_way_map_same_output.inputs.map((/** @type {string} */ h) => Element.fromUniformBytes(bytes(h)).toHex()));
    assert.equal(outputs.size, 1);
  });
});

describe('hashing vectors', { skip: hv ? false : 'tests/vectors/hashing not present yet' }, () => {
  it('the DST registry', () => {
    for (const [name, hex] of Object.entries(hv.dst)) assert.equal(toHex(utf8(Dst[name])), hex, name);
    assert.deepEqual(Object.keys(hv.dst).sort(), Object.keys(Dst).filter((k) => k in hv.dst).sort());
  });

  it('digest, hash_to_scalar, hash_to_element', () => {
    for (const v of hv.digest) {
      const dst = bytes(v.dst);
      const parts = v.parts.map(bytes);
      assert.equal(toHex(digest(dst, ...parts)), v.digest, v.comment);
      assert.equal(hashToScalar(dst, ...parts).toHex(), v.hash_to_scalar, v.comment);
      assert.equal(hashToElement(dst, ...parts).toHex(), v.hash_to_element, v.comment);
    }
  });

  it('proof-context parts', () => {
    for (const v of hv.context) {
      const context = new ProofContext({
        electionId: v.election_id,
        manifestHash: bytes(v.manifest_hash),
        publicKey: v.public_key === '' ? null : Element.fromHex(v.public_key),
        binding: v.binding,
      });
      const parts = context.parts();
      assert.deepEqual(parts.map(toHex), v.parts, JSON.stringify(v.binding));
      assert.equal(hashToScalar(Dst.SCHNORR, ...parts).toHex(), v.schnorr_hash_to_scalar);
    }
  });

  it('deterministic test nonces', () => {
    for (const v of hv.test_nonces) {
      const nonces = new DeterministicNonces(bytes(v.seed));
      assert.deepEqual(v.scalars.map(() => nonces.scalar(v.label).toHex()), v.scalars, v.label);
    }
  });
});
