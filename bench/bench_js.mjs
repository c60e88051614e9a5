// Time ballot encryption in Node with the booth's production bundle.
//
//   node bench/bench_js.mjs [runs]        (npm run bench)
//
// Node stands in for the browser until the booth pages exist; issue 5's targets
// are, in the browser on this machine: 1-of-10 under 0.3 s, 1-of-40 under 1 s.
// Each style allows a blank answer, as a municipal ballot does. Encryption
// includes every proof and the ballot hash (prepareBallot); verification is
// what the server does on cast. On a busy machine, the CPU time of the process
// is a steadier figure than the wall-clock time.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = join(ROOT, 'src/tohyo/app/web/static/booth/dist/tohyo-crypto.js');
const SOURCE = join(ROOT, 'src/tohyo/app/web/static/booth/crypto/index.js');
const entry = existsSync(BUNDLE) ? BUNDLE : SOURCE;
const T = await import(pathToFileURL(entry).href);

const runs = Number(process.argv[2] ?? 10);

function style(n) {
  return T.BallotStyle.fromJson({
    questions: [
      {
        question_id: 'q',
        option_ids: Array.from({ length: n }, (_, i) => `cand-${i + 1}`),
        min_selections: 1,
        max_selections: 1,
        allow_blank: true,
      },
    ],
  });
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

const secret = T.Scalar.fromWideBytes(globalThis.crypto.getRandomValues(new Uint8Array(64)));
const keyHex = T.GENERATOR.mul(secret).toHex();
let t = performance.now();
const key = T.PublicKey.fromHex(keyHex); // decodes and precomputes multiples of K
const keyMs = performance.now() - t;
const context = new T.ProofContext({
  electionId: 'bench',
  manifestHash: new Uint8Array(32),
  publicKey: key.element,
  binding: ['cred-bench'],
});

console.log(`tohyo booth crypto benchmark: ${entry === BUNDLE ? 'bundle' : 'sources'}, node ${process.version}, ${runs} runs`);
console.log(`key decode + precompute: ${ms(keyMs)}`);
for (const n of [10, 40]) {
  const st = style(n);
  const choices = { q: [`cand-${Math.ceil(n / 2)}`] };
  t = performance.now();
  T.prepareBallot(context, key, st, choices); // first run: JIT warm-up
  const first = performance.now() - t;
  const enc = [];
  const cpu = [];
  const ver = [];
  let ballot;
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    const c0 = process.cpuUsage();
    ballot = T.prepareBallot(context, key, st, choices).cast();
    enc.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    t = performance.now();
    T.verifyBallot(context, key, st, ballot);
    ver.push(performance.now() - t);
  }
  const size = JSON.stringify(ballot.toJson()).length;
  console.log(
    `1-of-${n} (+blank): encrypt median ${ms(median(enc))} (min ${ms(Math.min(...enc))}, ` +
      `max ${ms(Math.max(...enc))}, first ${ms(first)}; CPU median ${ms(median(cpu))}); ` +
      `verify median ${ms(median(ver))}; ` +
      `ballot JSON ${(size / 1024).toFixed(1)} KiB`,
  );
}
