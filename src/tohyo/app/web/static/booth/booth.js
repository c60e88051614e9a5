/**
 * The booth's entry point (docs/spec/booth.md §BO-4): one bundle for every
 * voter page, which reads the page's JSON (`#booth-data`) and starts the code
 * of that page. Built by `build.mjs` into `dist/booth.js` with the crypto
 * module (`crypto/`, booth-crypto.md) and the noble libraries; nothing is
 * loaded from anywhere else.
 * @module
 */

import { pageJson } from './ui/dom.js';
import { setupDisplayToggle } from './ui/prefs.js';
import { setupReadAloud } from './ui/speech.js';
import { startSignIn } from './ui/page-sign-in.js';
import { startBallot } from './ui/page-ballot.js';
import { startReview } from './ui/page-review.js';
import { startReceipt } from './ui/page-receipt.js';
import { startCheck } from './ui/page-check.js';
import { checkImages } from './ui/images.js';

const PAGES = {
  'sign-in': startSignIn,
  ballot: startBallot,
  review: startReview,
  receipt: startReceipt,
  check: startCheck,
};

function main() {
  setupDisplayToggle();
  checkImages();
  const data = pageJson('booth-data');
  setupReadAloud(data ? data.speechLang : document.documentElement.lang);
  // After the voting period only the check page runs (docs/spec/booth.md §BO-1.6).
  const closed = data && data.election && data.election.votingClosed === true;
  if (data && Object.hasOwn(PAGES, data.page) && (!closed || data.page === 'check')) {
    PAGES[data.page](data);
  }
  document.documentElement.dataset.boothReady = 'true';
}

main();
