// The built bundle (npm run build, run by scripts/setup): self-contained,
// deterministic, up to date with the sources, and exporting the booth API.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { EncryptedBallot as SourceBallot, verifyBallot as sourceVerify } from '../../src/tohyo/app/web/static/booth/crypto/ballot.js';
import { ballotContext, BUNDLE, CRYPTO, keyOf, loadVectors, ROOT, styleOf } from './helpers.js';

const haveBundle = existsSync(BUNDLE);
const skip = haveBundle ? false : process.env.CI === 'true' ? false : 'bundle not built: run scripts/setup (npm run build)';

describe('the crypto sources', () => {
  it('use no DOM, no network and no dynamic code', () => {
    for (const file of readdirSync(CRYPTO).filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(join(CRYPTO, file), 'utf8').replace(/\/\*\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const banned of ['document', 'window', 'fetch(', 'XMLHttpRequest', 'WebSocket', 'eval(', 'Function(', 'localStorage', 'Math.random']) {
        assert.ok(!text.includes(banned), `${file} uses ${banned}`);
      }
    }
  });
});

describe('the bundle', { skip }, () => {
  it('exists (CI builds it with scripts/setup)', () => {
    assert.ok(haveBundle, `${BUNDLE} is missing: run scripts/setup`);
  });

  it('is self-contained: no imports, no network, no test seams', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    assert.ok(!/^\s*import\s/m.test(text), 'imports a module');
    for (const banned of ['import(', 'require(', 'fetch(', 'XMLHttpRequest', 'WebSocket', 'DeterministicNonces', 'document.']) {
      assert.ok(!text.includes(banned), `contains ${banned}`);
    }
  });

  it('is what the build command makes from the current sources (deterministic)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'tohyo-bundle-'));
    try {
      const args = pkg.scripts.build.split(/\s+/).slice(1).map((a) => (a.startsWith('--outfile=') ? `--outfile=${join(dir, 'out.js')}` : a));
      const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
      execFileSync(esbuild, args, { cwd: ROOT, stdio: 'pipe' });
      const rebuilt = readFileSync(join(dir, 'out.js'));
      assert.ok(rebuilt.equals(readFileSync(BUNDLE)), 'the bundle is stale: run npm run build');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports the booth API and reproduces a vector', async () => {
    const T = await import(pathToFileURL(BUNDLE).href);
    for (const name of ['prepareBallot', 'auditBallot', 'openAuditedBallot', 'checkAuditedBallot', 'encryptBallot', 'verifyBallot', 'ballotHash', 'ProofContext', 'PublicKey', 'BallotStyle', 'EncryptedBallot', 'RevealedNonces', 'InvalidProof', 'InvalidEncoding']) {
      assert.equal(typeof T[name], 'function', name);
    }
    for (const seam of ['_encryptBallot', '_prepareBallot', 'DeterministicNonces', '_proveRange']) {
      assert.equal(T[seam], undefined, seam);
    }
    const v = loadVectors('ballot/ballots.json').vectors[3];
    const context = new T.ProofContext({
      electionId: v.context.election_id,
      manifestHash: T.fromHex(v.context.manifest_hash, 32, 'manifest hash'),
      publicKey: T.Element.fromHex(v.context.public_key),
      binding: [v.context.credential],
    });
    const key = T.PublicKey.fromHex(v.context.public_key);
    const style = T.BallotStyle.fromJson(v.style);
    const parsed = T.EncryptedBallot.fromJson(v.ballot);
    T.verifyBallot(context, key, style, parsed);
    assert.equal(T.toHex(T.ballotHash(context, parsed)), v.ballot_hash);
    // A fresh CSPRNG ballot from the bundle verifies with the source modules.
    const fresh = T.encryptBallot(context, key, style, v.choices);
    sourceVerify(ballotContext(v.context), keyOf(v.context), styleOf(v.style), SourceBallot.fromJson(fresh.toJson()));
  });
});
