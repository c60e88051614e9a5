/**
 * The booth's crypto module: the public API bundled into `tohyo-crypto.js`
 * (docs/spec/booth-crypto.md). No DOM, no network: pure functions over values.
 *
 * Deterministic nonces and the `_`-prefixed known-answer seams are not exported
 * here, so the production bundle can only draw nonces from `crypto.getRandomValues`.
 *
 * @module
 */

export {
  PreparedBallot,
  RevealedNonces,
  auditBallot,
  auditedBallotFromJson,
  auditedBallotToJson,
  checkAuditedBallot,
  openAuditedBallot,
  prepareBallot,
} from './audit.js';
export {
  BLANK_LABEL,
  BallotStyle,
  EncryptedBallot,
  EncryptedQuestion,
  EncryptedSelection,
  QuestionStyle,
  TOTAL_LABEL,
  ballotHash,
  encryptBallot,
  verifyBallot,
} from './ballot.js';
export { toHex, fromHex } from './bytes.js';
export { EqualityProof, proveEquality, verifyEquality } from './chaum-pedersen.js';
export { GROUP_NAME, PROTOCOL_VERSION, ProofContext } from './context.js';
export { Ciphertext, PublicKey, encrypt } from './elgamal.js';
export { CryptoError, InvalidEncoding, InvalidKey, InvalidProof } from './errors.js';
export { Element, GENERATOR, IDENTITY, ORDER, Scalar } from './group.js';
export { Dst, digest, hashToElement, hashToScalar } from './hashing.js';
export { RangeProof, proveRange, verifyRange } from './range-proof.js';
export { SchnorrProof, proveKnowledge, verifyKnowledge } from './schnorr.js';
