// Unit, negative and property tests of the booth crypto modules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { _prepareBallot, openAuditedBallot, prepareBallot } from '../../src/tohyo/app/web/static/booth/crypto/audit.js';
import { BallotStyle, EncryptedBallot, QuestionStyle, ballotHash, encryptBallot, verifyBallot } from '../../src/tohyo/app/web/static/booth/crypto/ballot.js';
import { toHex } from '../../src/tohyo/app/web/static/booth/crypto/bytes.js';
import { ProofContext } from '../../src/tohyo/app/web/static/booth/crypto/context.js';
import { PublicKey } from '../../src/tohyo/app/web/static/booth/crypto/elgamal.js';
import { Element, GENERATOR, IDENTITY, ORDER, Scalar, baseMul } from '../../src/tohyo/app/web/static/booth/crypto/group.js';
import { Dst, digest, encodeParts, hashToScalar, u64, utf8 } from '../../src/tohyo/app/web/static/booth/crypto/hashing.js';
import { DeterministicNonces, SYSTEM } from '../../src/tohyo/app/web/static/booth/crypto/nonces.js';
import { outcome } from './helpers.js';

const enc = new TextEncoder();
const KEY = new PublicKey(baseMul(new DeterministicNonces(enc.encode('unit key')).scalar('elgamal-secret')));
const CONTEXT = new ProofContext({
  electionId: 'unit-election',
  manifestHash: new Uint8Array(32).fill(7),
  publicKey: KEY.element,
  binding: ['cred-unit'],
});

/** @param {Partial<ConstructorParameters<typeof QuestionStyle>[0]>} over */
function q(over = {}) {
  return new QuestionStyle({ questionId: 'q', optionIds: ['a', 'b', 'c'], minSelections: 1, maxSelections: 1, allowBlank: false, ...over });
}

/** A small seeded PRNG (mulberry32) so property tests are reproducible. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hashing', () => {
  it('refuses lone surrogates and non-strings in utf8', () => {
    assert.equal(outcome(() => utf8('a\uD800b')), 'InvalidEncoding');
    assert.equal(outcome(() => utf8('\uDC00')), 'InvalidEncoding');
    assert.equal(outcome(() => utf8('a\uD800')), 'InvalidEncoding');
    assert.equal(outcome(() => utf8('\uD800\uD800\uDC00')), 'InvalidEncoding');
    assert.equal(outcome(() => utf8('\uDBFF\uDFFF\uDC00')), 'InvalidEncoding');
    assert.deepEqual([...utf8('\uDBFF\uDFFF')], [0xf4, 0x8f, 0xbf, 0xbf]);
    assert.equal(outcome(() => utf8(/** @type {any} */ (1))), 'InvalidEncoding');
    assert.deepEqual([...utf8('\uD83D\uDE00')], [0xf0, 0x9f, 0x98, 0x80]);
    assert.deepEqual([...utf8('投票')], [0xe6, 0x8a, 0x95, 0xe7, 0xa5, 0xa8]);
  });

  it('encodes u64 big-endian and refuses out-of-range values', () => {
    assert.equal(toHex(u64(258)), '0000000000000102');
    assert.equal(toHex(u64(2n ** 64n - 1n)), 'ffffffffffffffff');
    for (const bad of [-1, 2n ** 64n, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
      assert.equal(outcome(() => u64(bad)), 'InvalidEncoding');
    }
  });

  it('length-prefixes every part, so framing is injective', () => {
    assert.notEqual(toHex(digest(Dst.RANGE, enc.encode('ab'), enc.encode('c'))), toHex(digest(Dst.RANGE, enc.encode('a'), enc.encode('bc'))));
    assert.equal(toHex(encodeParts(enc.encode('ab'))), '00000000000000026162');
    assert.equal(outcome(() => digest('')), 'InvalidEncoding');
    assert.equal(outcome(() => digest(Dst.RANGE, /** @type {any} */ ('text'))), 'InvalidEncoding');
  });

  it('reduces the 64-byte digest little-endian modulo ℓ', () => {
    const d = digest(Dst.SCHNORR, enc.encode('x'));
    let n = 0n;
    for (let i = 63; i >= 0; i--) n = (n << 8n) | BigInt(d[i]);
    assert.equal(hashToScalar(Dst.SCHNORR, enc.encode('x')).toBigInt(), n % ORDER);
  });
});

describe('scalars', () => {
  it('has exactly one accepted encoding per value', () => {
    const s = Scalar.fromInt(5);
    assert.equal(Scalar.fromHex(s.toHex()).toBigInt(), 5n);
    const plusL = Scalar.fromInt(0).toBytes();
    let v = ORDER + 5n;
    for (let i = 0; i < 32; i++, v >>= 8n) plusL[i] = Number(v & 0xffn);
    assert.equal(outcome(() => Scalar.fromBytes(plusL)), 'InvalidEncoding');
    assert.equal(outcome(() => Scalar.fromBytes(new Uint8Array(31))), 'InvalidEncoding');
    assert.equal(outcome(() => new Scalar(-1n)), 'InvalidEncoding');
    assert.equal(outcome(() => Scalar.fromHex(/** @type {any} */ (null))), 'InvalidEncoding');
  });

  it('does arithmetic modulo ℓ', () => {
    const a = Scalar.fromInt(ORDER - 1n);
    assert.ok(a.add(Scalar.fromInt(1)).isZero());
    assert.equal(Scalar.fromInt(0).sub(Scalar.fromInt(1)).toBigInt(), ORDER - 1n);
    assert.equal(a.mul(a).toBigInt(), 1n);
    assert.equal(a.neg().toBigInt(), 1n);
    assert.equal(Scalar.fromWideBytes(new Uint8Array(64).fill(255)).toBigInt(), (2n ** 512n - 1n) % ORDER);
  });

  it('never prints or serialises itself implicitly', () => {
    assert.equal(String(Scalar.fromInt(9)), 'Scalar(<redacted>)');
    assert.throws(() => JSON.stringify({ s: Scalar.fromInt(9) }), TypeError);
  });
});

describe('elements', () => {
  it('round-trips [k]G and refuses the identity unless allowed', () => {
    for (let k = 1; k < 16; k++) {
      const e = baseMul(Scalar.fromInt(k));
      assert.equal(Element.fromHex(e.toHex()).toHex(), e.toHex());
    }
    assert.equal(IDENTITY.toHex(), '00'.repeat(32));
    assert.equal(outcome(() => Element.fromHex('00'.repeat(32))), 'InvalidEncoding');
    assert.ok(Element.fromHex('00'.repeat(32), { allowIdentity: true }).isIdentity());
    assert.equal(outcome(() => new PublicKey(IDENTITY)), 'InvalidKey');
  });

  it('agrees between the constant-time and the public multiplication', () => {
    const k = Scalar.fromInt(123456789n);
    assert.equal(GENERATOR.mul(k).toHex(), GENERATOR.mulPublic(k).toHex());
    assert.ok(GENERATOR.mul(Scalar.fromInt(0)).isIdentity());
    assert.ok(GENERATOR.mulPublic(Scalar.fromInt(0)).isIdentity());
    assert.ok(KEY.element.mul(k).equals(KEY.element.mulPublic(k)));
  });
});

describe('context', () => {
  it('validates its fields', () => {
    const ok = { electionId: 'e', manifestHash: new Uint8Array(32), publicKey: null, binding: [] };
    assert.equal(outcome(() => new ProofContext({ ...ok, electionId: '' })), 'InvalidEncoding');
    assert.equal(outcome(() => new ProofContext({ ...ok, manifestHash: new Uint8Array(31) })), 'InvalidEncoding');
    assert.equal(outcome(() => new ProofContext({ ...ok, binding: /** @type {any} */ ('ab') })), 'InvalidEncoding');
    assert.equal(outcome(() => new ProofContext({ ...ok, publicKey: /** @type {any} */ ('00') })), 'InvalidEncoding');
    assert.equal(new ProofContext(ok).parts()[5].length, 0);
  });
});

describe('ballot styles and choices', () => {
  it('refuses malformed styles', () => {
    for (const over of [
      { questionId: '#q' },
      { questionId: '' },
      { optionIds: [] },
      { optionIds: ['a', 'a'] },
      { optionIds: ['#blank'] },
      { optionIds: Array.from({ length: 256 }, (_, i) => `o${i}`) },
      { minSelections: 2, maxSelections: 1 },
      { maxSelections: 0, minSelections: 0 },
      { maxSelections: 4 },
      { minSelections: 0.5 },
      { allowBlank: /** @type {any} */ ('yes') },
    ]) {
      assert.equal(outcome(() => q(over)), 'InvalidEncoding', JSON.stringify(over).slice(0, 60));
    }
    assert.equal(outcome(() => new BallotStyle([])), 'InvalidEncoding');
    assert.equal(outcome(() => new BallotStyle([q(), q()])), 'InvalidEncoding');
    assert.equal(outcome(() => BallotStyle.fromJson({ questions: [{ question_id: 'q' }] })), 'InvalidEncoding');
  });

  it('refuses bad choices before encrypting anything', () => {
    const style = new BallotStyle([q()]);
    const nonces = { scalar: () => assert.fail('a nonce was drawn') };
    for (const choices of [
      { other: ['a'] },
      { q: ['d'] },
      { q: ['a', 'a'] },
      { q: ['a', 'b'] },
      { q: [] },
      {},
      { q: 'a' },
      { q: [1] },
      { q: null },
    ]) {
      const got = outcome(() => _prepareBallot(CONTEXT, KEY, style, /** @type {any} */ (choices), /** @type {any} */ (nonces)));
      assert.equal(got, 'InvalidEncoding', JSON.stringify(choices));
    }
  });
});

describe('production encryption', () => {
  const style = new BallotStyle([q({ allowBlank: true }), q({ questionId: 'r', minSelections: 0, maxSelections: 2 })]);

  it('draws fresh nonces: two encryptions differ and both verify', () => {
    const a = encryptBallot(CONTEXT, KEY, style, { q: ['b'], r: ['c'] });
    const b = encryptBallot(CONTEXT, KEY, style, { q: ['b'], r: ['c'] });
    verifyBallot(CONTEXT, KEY, style, a);
    verifyBallot(CONTEXT, KEY, style, b);
    assert.notEqual(toHex(ballotHash(CONTEXT, a)), toHex(ballotHash(CONTEXT, b)));
  });

  it('system nonces are uniform-looking scalars below ℓ', () => {
    const seen = new Set();
    for (let i = 0; i < 200; i++) {
      const s = SYSTEM.scalar('elgamal-nonce');
      assert.ok(s.toBigInt() < ORDER);
      seen.add(s.toHex());
    }
    assert.equal(seen.size, 200);
  });

  it('binds the ballot to the key, the credential and the election', () => {
    const ballot = encryptBallot(CONTEXT, KEY, style, { q: ['a'], r: ['a', 'c'] });
    const otherKey = new PublicKey(baseMul(Scalar.fromInt(99)));
    assert.equal(outcome(() => verifyBallot(CONTEXT, otherKey, style, ballot)), 'InvalidProof');
    assert.equal(outcome(() => verifyBallot(CONTEXT.bound('x'), KEY, style, ballot)), 'InvalidProof');
    const renamed = new ProofContext({ ...CONTEXT, electionId: 'other', binding: ['cred-unit'] });
    assert.equal(outcome(() => verifyBallot(renamed, KEY, style, ballot)), 'InvalidProof');
    const wider = new BallotStyle([q({ allowBlank: true }), q({ questionId: 'r', minSelections: 0, maxSelections: 3 })]);
    assert.equal(outcome(() => verifyBallot(CONTEXT, KEY, wider, ballot)), 'InvalidProof');
  });
});

describe('proof-field mutation sweep (THREATS.md #5)', () => {
  const style = new BallotStyle([q({ optionIds: ['a', 'b'], allowBlank: true })]);
  const ballot = _prepareBallot(CONTEXT, KEY, style, { q: ['b'] }, new DeterministicNonces(enc.encode('sweep'))).ballot;
  const good = ballot.toJson();

  /** Every [path, hex] leaf of the ballot JSON. */
  function* leaves(obj, path = []) {
    if (typeof obj === 'string' && path.at(-1) !== 'id') yield [path, obj];
    else if (obj && typeof obj === 'object') for (const [k, v] of Object.entries(obj)) yield* leaves(v, [...path, k]);
  }

  it('every flipped byte of every value is refused', () => {
    let count = 0;
    for (const [path] of leaves(good)) {
      for (const byte of [0, 15, 31]) {
        const mutant = structuredClone(good);
        let node = mutant;
        for (const p of path.slice(0, -1)) node = node[p];
        const hex = node[path.at(-1)];
        const flipped = (parseInt(hex.slice(2 * byte, 2 * byte + 2), 16) ^ 1).toString(16).padStart(2, '0');
        node[path.at(-1)] = hex.slice(0, 2 * byte) + flipped + hex.slice(2 * byte + 2);
        const got = outcome(() => verifyBallot(CONTEXT, KEY, style, EncryptedBallot.fromJson(mutant)));
        assert.notEqual(got, 'accepted', `${path.join('.')} byte ${byte}`);
        count++;
      }
    }
    assert.ok(count >= 3 * 18, `only ${count} mutants`);
  });
});

describe('audit or cast', () => {
  const style = new BallotStyle([q({ allowBlank: true })]);

  it('a ballot can be cast or audited, once', () => {
    const cast = prepareBallot(CONTEXT, KEY, style, { q: ['c'] });
    cast.cast();
    assert.ok(cast.spent);
    assert.equal(outcome(() => cast.audit()), 'CryptoError');
    assert.equal(outcome(() => cast.cast()), 'CryptoError');
    const audited = prepareBallot(CONTEXT, KEY, style, { q: ['c'] });
    const opened = audited.audit();
    assert.equal(outcome(() => audited.cast()), 'CryptoError');
    assert.deepEqual(openAuditedBallot(CONTEXT, KEY, style, opened.ballot, opened.nonces), { q: ['c'] });
  });

  it('an audit needs a context bound to exactly the credential', () => {
    const p = prepareBallot(CONTEXT.bound('extra'), KEY, style, { q: ['c'] });
    assert.equal(outcome(() => p.audit()), 'CryptoError');
  });

  it('property: random styles and choices encrypt, verify and open to the choices', () => {
    const rand = prng(20251121);
    for (let i = 0; i < 12; i++) {
      const questions = [];
      const choices = {};
      const nq = 1 + Math.floor(rand() * 2);
      for (let j = 0; j < nq; j++) {
        const n = 1 + Math.floor(rand() * 5);
        const max = 1 + Math.floor(rand() * n);
        const min = Math.floor(rand() * (max + 1));
        const allowBlank = rand() < 0.5;
        const optionIds = Array.from({ length: n }, (_, k) => `o${k}`);
        questions.push(q({ questionId: `q${j}`, optionIds, minSelections: min, maxSelections: max, allowBlank }));
        let k = min + Math.floor(rand() * (max - min + 1));
        if (k === 0 && !allowBlank) k = Math.max(min, 1);
        if (allowBlank && rand() < 0.3) k = 0;
        const shuffled = optionIds.map((o) => [rand(), o]).sort().map(([, o]) => o);
        choices[`q${j}`] = shuffled.slice(0, k);
      }
      const st = new BallotStyle(questions);
      const prepared = prepareBallot(CONTEXT, KEY, st, choices);
      verifyBallot(CONTEXT, KEY, st, EncryptedBallot.fromJson(JSON.parse(JSON.stringify(prepared.ballot.toJson()))));
      const { ballot, nonces } = prepared.audit();
      const opened = openAuditedBallot(CONTEXT, KEY, st, ballot, nonces);
      for (const qs of st.questions) {
        assert.deepEqual(opened[qs.questionId], qs.optionIds.filter((o) => choices[qs.questionId].includes(o)));
      }
    }
  });
});
