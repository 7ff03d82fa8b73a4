// Keeps the Helm chart in step with its sources of truth: the generated CRDs (crds/) and the
// operator's ClusterRole rules (config/rbac/cluster_role.yaml). Helm cannot read files outside the
// chart, so they are copied; `--check` (run by the test suite) fails when a copy is stale.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const chart = join(root, 'charts', 'brigade-operator');
const banner = '# Copied from %s by scripts/sync-chart.mjs; edit the source, then run `npm run sync:chart`.\n';

function wantedFiles() {
  const files = new Map();
  for (const name of readdirSync(join(root, 'crds'))
    .filter((f) => f.endsWith('.brigade.sh.yaml'))
    .sort()) {
    files.set(
      join(chart, 'crds', name),
      banner.replace('%s', `crds/${name}`) + readFileSync(join(root, 'crds', name), 'utf8'),
    );
  }
  const role = readFileSync(join(root, 'config', 'rbac', 'cluster_role.yaml'), 'utf8');
  const rules = role.slice(role.indexOf('rules:\n') + 'rules:\n'.length);
  files.set(
    join(chart, 'files', 'cluster-role-rules.yaml'),
    banner.replace('%s', 'config/rbac/cluster_role.yaml') + rules,
  );
  return files;
}

const check = process.argv.includes('--check');
const stale = [];
for (const [file, content] of wantedFiles()) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) {
    stale.push(file.slice(root.length + 1));
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}
if (stale.length) {
  console.error(`stale chart copies (run npm run sync:chart): ${stale.join(', ')}`);
  process.exit(1);
}
