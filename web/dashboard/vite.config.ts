// Builds the dashboard's front end into dist/dashboard, which the operator and the CLI serve. Run by
// `npm run build:dashboard` (and so by `npm ci`, through the `prepare` script).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // Preact's automatic JSX runtime; no Babel, no plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // The operator serves these files itself: one small bundle, no source maps to ship.
    sourcemap: false,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
