// Drive the built booth bundle from another process (tests/js/test_differential.py).
//
//   node tests/js/booth_cli.mjs <bundle.js>  < requests.json  > responses.json
//
// requests: [{op: "encrypt", context, style, choices, audit?: bool, tamper?: string}
//            | {op: "verify", context, style, ballot}]
// context:  {election_id, manifest_hash, public_key, credential}
// Encryption uses the bundle's production path: crypto.getRandomValues.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const T = await import(pathToFileURL(process.argv[2]).href);

/** @param {{election_id: string, manifest_hash: string, public_key: string, credential: string}} c */
function contextOf(c) {
  return new T.ProofContext({
    electionId: c.election_id,
    manifestHash: T.fromHex(c.manifest_hash, 32, 'manifest hash'),
    publicKey: T.Element.fromHex(c.public_key),
    binding: [c.credential],
  });
}

/** @param {string} hex */
const flip = (hex) => (parseInt(hex.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + hex.slice(2);

/** Tamper with a ballot's JSON in the ways a malicious or broken client might. */
const TAMPER = {
  'flip-challenge': (b) => {
    const p = b.questions[0].selections[0].proof;
    p.c[0] = flip(p.c[0]);
  },
  'flip-total-response': (b) => {
    const p = b.questions[0].total_proof;
    p.z[0] = flip(p.z[0]);
  },
  'swap-selections': (b) => b.questions[0].selections.reverse(),
  'rerandomise': (b) => {
    const sel = b.questions[0].selections[0];
    const key = T.Element.fromHex(b.__key);
    const s = T.Scalar.fromInt(424242);
    sel.ct = {
      alpha: T.Element.fromHex(sel.ct.alpha).add(T.GENERATOR.mul(s)).toHex(),
      beta: T.Element.fromHex(sel.ct.beta, { allowIdentity: true }).add(key.mul(s)).toHex(),
    };
  },
};

const requests = JSON.parse(readFileSync(0, 'utf8'));
const responses = requests.map((r) => {
  try {
    const context = contextOf(r.context);
    const key = T.PublicKey.fromHex(r.context.public_key);
    const style = T.BallotStyle.fromJson(r.style);
    if (r.op === 'verify') {
      T.verifyBallot(context, key, style, T.EncryptedBallot.fromJson(r.ballot));
      return { result: 'accepted' };
    }
    const prepared = T.prepareBallot(context, key, style, r.choices);
    const out = { ballot_hash: T.toHex(prepared.ballotHash) };
    if (r.audit) {
      out.audited = T.auditedBallotToJson(T.auditBallot(prepared));
      out.ballot = out.audited.ballot;
    } else {
      out.ballot = prepared.cast().toJson();
    }
    if (r.tamper) {
      out.ballot.__key = r.context.public_key;
      TAMPER[r.tamper](out.ballot);
      delete out.ballot.__key;
    }
    return out;
  } catch (exc) {
    return { result: exc.name, message: exc.message };
  }
});
process.stdout.write(JSON.stringify(responses));
