// The JSDoc types of the crypto modules check under `tsc --strict` (npm run typecheck).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

import { ROOT } from './helpers.js';

const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
const skip = existsSync(tsc) || process.env.CI === 'true' ? false : 'typescript not installed: run scripts/setup';

it('the crypto modules type-check (tsc --checkJs --strict)', { skip }, () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const args = pkg.scripts.typecheck.split(/\s+/).slice(1);
  const done = spawnSync(tsc, args, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(done.status, 0, done.stdout + done.stderr);
});
