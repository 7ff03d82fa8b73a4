// Builds the dashboard's front end (web/dashboard) into dist/dashboard with Vite. It is the package's
// `prepare` script, so `npm ci` produces the assets. A production install (--omit=dev) has no Vite
// and skips, saying so: the image takes dist/dashboard from its build stage (see the Dockerfile), and
// an operator started with --dashboard-port without the assets refuses to start, naming this command.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  require.resolve('vite/package.json');
} catch {
  console.log('build-dashboard: vite not installed (production install?); the dashboard assets are not built here');
  process.exit(0);
}
const { build } = await import('vite');
await build({ configFile: join(root, 'web', 'dashboard', 'vite.config.ts') });
console.log(`build-dashboard: ${join('dist', 'dashboard')} built`);
