// Known-answer tests: the booth reproduces the Python reference byte for byte
// (tests/vectors/ballot/*.json, made by make_vectors.py; spec §1.3).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { _prepareBallot, RevealedNonces, auditedBallotFromJson, auditedBallotToJson, checkAuditedBallot, openAuditedBallot } from '../../src/tohyo/app/web/static/booth/crypto/audit.js';
import { EncryptedBallot, _encryptBallot, ballotHash, verifyBallot } from '../../src/tohyo/app/web/static/booth/crypto/ballot.js';
import { toHex } from '../../src/tohyo/app/web/static/booth/crypto/bytes.js';
import { EqualityProof, _proveEquality, verifyEquality } from '../../src/tohyo/app/web/static/booth/crypto/chaum-pedersen.js';
import { Ciphertext, PublicKey, encryptWithNonce, freshNonce } from '../../src/tohyo/app/web/static/booth/crypto/elgamal.js';
import { Element, Scalar, baseMul } from '../../src/tohyo/app/web/static/booth/crypto/group.js';
import { DeterministicNonces } from '../../src/tohyo/app/web/static/booth/crypto/nonces.js';
import { RangeProof, _proveRange, verifyRange } from '../../src/tohyo/app/web/static/booth/crypto/range-proof.js';
import { SchnorrProof, _proveKnowledge, verifyKnowledge } from '../../src/tohyo/app/web/static/booth/crypto/schnorr.js';
import { ballotContext, bytes, keyOf, loadVectors, outcome, proofContext, styleOf } from './helpers.js';

const ballots = loadVectors('ballot/ballots.json');

describe('ballot vectors', () => {
  it('uses the key of its seed', () => {
    const secret = new DeterministicNonces(bytes(ballots.key_seed)).scalar('elgamal-secret');
    assert.equal(secret.toHex(), ballots.secret_key);
    assert.equal(baseMul(secret).toHex(), ballots.vectors[0].context.public_key);
  });

  for (const v of ballots.vectors) {
    describe(v.name, () => {
      const context = ballotContext(v.context);
      const key = keyOf(v.context);
      const style = styleOf(v.style);

      it('encrypts to the same ballot JSON, hash and audit nonces', () => {
        const prepared = _prepareBallot(context, key, style, v.choices, new DeterministicNonces(bytes(v.seed)));
        assert.deepEqual(prepared.ballot.toJson(), v.ballot);
        // Same key order and text as Python's json.dumps(separators=(",", ":")).
        assert.equal(JSON.stringify(prepared.ballot.toJson()), JSON.stringify(v.ballot));
        assert.equal(toHex(prepared.ballotHash), v.ballot_hash);
        const audited = prepared.audit();
        assert.deepEqual(audited.nonces.toJson(), v.revealed_nonces);
      });

      it('_encryptBallot draws the same nonces', () => {
        const ballot = _encryptBallot(context, key, style, v.choices, new DeterministicNonces(bytes(v.seed)));
        assert.deepEqual(ballot.toJson(), v.ballot);
      });

      it('decodes, verifies and hashes the Python ballot', () => {
        const ballot = EncryptedBallot.fromJson(v.ballot);
        verifyBallot(context, key, style, ballot);
        assert.equal(toHex(ballotHash(context, ballot)), v.ballot_hash);
        assert.deepEqual(ballot.toJson(), v.ballot);
      });

      it('opens the audited ballot to the choices', () => {
        const ballot = EncryptedBallot.fromJson(v.ballot);
        const nonces = RevealedNonces.fromJson(v.revealed_nonces);
        const opened = openAuditedBallot(context, key, style, ballot, nonces);
        const expected = Object.fromEntries(
          style.questions.map((q) => [q.questionId, q.optionIds.filter((o) => (v.choices[q.questionId] ?? []).includes(o))]),
        );
        assert.deepEqual(opened, expected);
      });
    });
  }
});

describe('range proof vectors', () => {
  for (const v of loadVectors('ballot/range_proofs.json').vectors) {
    it(v.name, () => {
      const nonces = new DeterministicNonces(bytes(v.seed));
      const context = proofContext(v.context);
      const key = PublicKey.fromHex(v.key);
      const r = freshNonce(nonces);
      assert.equal(r.toHex(), v.nonce);
      const ct = encryptWithNonce(key, v.message, r);
      assert.deepEqual(ct.toJson(), v.ciphertext);
      const proof = _proveRange(context, key, ct, v.message, r, v.lo, v.hi, nonces);
      assert.deepEqual(proof.toJson(), v.proof);
      verifyRange(context, key, Ciphertext.fromJson(v.ciphertext), RangeProof.fromJson(v.proof), v.lo, v.hi);
      if (v.hi - v.lo < 255) {
        const wider = outcome(() => verifyRange(context, key, ct, proof, v.lo, v.hi + 1));
        assert.equal(wider, 'InvalidProof');
      }
      const other = context.bound('x');
      assert.equal(outcome(() => verifyRange(other, key, ct, proof, v.lo, v.hi)), 'InvalidProof');
    });
  }
});

describe('schnorr vectors', () => {
  for (const v of loadVectors('ballot/schnorr.json').vectors) {
    it(v.name, () => {
      const nonces = new DeterministicNonces(bytes(v.seed));
      const secret = nonces.scalar('elgamal-secret');
      assert.equal(secret.toHex(), v.secret);
      assert.equal(baseMul(secret).toHex(), v.public);
      const context = proofContext(v.context);
      assert.deepEqual(_proveKnowledge(context, secret, nonces).toJson(), v.proof);
      verifyKnowledge(context, Element.fromHex(v.public), SchnorrProof.fromJson(v.proof));
      const bad = outcome(() => verifyKnowledge(context.bound('x'), Element.fromHex(v.public), SchnorrProof.fromJson(v.proof)));
      assert.equal(bad, 'InvalidProof');
    });
  }
});

describe('chaum-pedersen vectors', () => {
  for (const v of loadVectors('ballot/chaum_pedersen.json').vectors) {
    it(v.name, () => {
      const nonces = new DeterministicNonces(bytes(v.seed));
      const secret = nonces.scalar('elgamal-secret');
      const base = baseMul(nonces.scalar('elgamal-nonce'));
      assert.equal(secret.toHex(), v.secret);
      assert.equal(base.toHex(), v.base);
      assert.equal(base.mul(secret).toHex(), v.d);
      const context = proofContext(v.context);
      assert.deepEqual(_proveEquality(context, secret, base, nonces).toJson(), v.proof);
      const [x, a, d] = [v.x, v.base, v.d].map((h) => Element.fromHex(h));
      verifyEquality(context, x, a, d, EqualityProof.fromJson(v.proof));
      assert.equal(outcome(() => verifyEquality(context, x, a, x, EqualityProof.fromJson(v.proof))), 'InvalidProof');
    });
  }
});

describe('deterministic nonce vectors', () => {
  it('match', () => {
    /** @type {Map<string, DeterministicNonces>} */
    const sources = new Map();
    for (const v of loadVectors('ballot/nonces.json').vectors) {
      if (!sources.has(v.seed)) sources.set(v.seed, new DeterministicNonces(bytes(v.seed)));
      assert.equal(sources.get(v.seed)?.scalar(v.label).toHex(), v.scalar, `${v.label} #${v.n}`);
    }
  });
});

describe('invalid encodings', () => {
  const data = loadVectors('ballot/invalid_encodings.json');
  for (const e of data.elements) {
    it(`element refused: ${e.reason} ${e.hex}`, () => {
      assert.equal(outcome(() => Element.fromHex(e.hex)), 'InvalidEncoding');
      assert.equal(outcome(() => PublicKey.fromHex(e.hex)), 'InvalidKey');
    });
  }
  for (const s of data.scalars) {
    it(`scalar refused: ${s.reason}`, () => {
      assert.equal(outcome(() => Scalar.fromHex(s.hex)), 'InvalidEncoding');
    });
  }
});

describe('tampered ballots are refused with the same error as Python', () => {
  const data = loadVectors('ballot/tampered_ballots.json');
  const style = styleOf(data.style);
  for (const v of data.vectors) {
    it(v.name, () => {
      const got = outcome(() => verifyBallot(ballotContext(v.context), keyOf(v.context), style, EncryptedBallot.fromJson(v.ballot)));
      assert.equal(got, v.expected_error);
    });
  }
});

describe('audited ballots', () => {
  const data = loadVectors('ballot/tampered_audits.json');
  const base = ballots.vectors.find((/** @type {any} */ v) => v.name === data.base);
  const style = styleOf(base.style);
  const key = keyOf(base.context);
  const election = { manifestHash: bytes(base.context.manifest_hash), key, style };

  it('the audit document round-trips and opens to the choices', () => {
    const audited = auditedBallotFromJson(data.audited_ballot);
    assert.deepEqual(auditedBallotToJson(audited), data.audited_ballot);
    const choices = checkAuditedBallot(audited, election, base.context.election_id);
    assert.deepEqual(choices, { priorities: data.expected_choices.priorities });
  });

  it('refuses a document for another election or with another hash', () => {
    const audited = auditedBallotFromJson(data.audited_ballot);
    assert.equal(outcome(() => checkAuditedBallot(audited, election, 'other')), 'InvalidProof');
    const doc = structuredClone(data.audited_ballot);
    doc.ballot_hash = '00'.repeat(32);
    assert.equal(outcome(() => checkAuditedBallot(auditedBallotFromJson(doc), election, base.context.election_id)), 'InvalidProof');
    doc.version = 'tohyo/2';
    assert.equal(outcome(() => auditedBallotFromJson(doc)), 'InvalidEncoding');
  });

  for (const v of data.vectors) {
    it(`tampered nonces refused: ${v.name}`, () => {
      const got = outcome(() =>
        openAuditedBallot(ballotContext(base.context), key, style, EncryptedBallot.fromJson(base.ballot), RevealedNonces.fromJson(v.revealed_nonces)),
      );
      assert.equal(got, v.expected_error);
    });
  }
});
