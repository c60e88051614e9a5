// Builds the booth bundle dist/booth.js (docs/spec/booth.md §BO-4.1):
// `node src/tohyo/app/web/static/booth/build.mjs` (run by scripts/setup when a
// source is newer). Deterministic: same sources and lock file, same bytes, so the
// served SHA-256 (footer of every page, GET /api/v1/booth) can be compared.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [join(here, 'booth.js')],
  outfile: join(here, 'dist', 'booth.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'safari15'],
  charset: 'utf8',
  legalComments: 'eof',
  logLevel: 'warning',
  minify: false,
});
