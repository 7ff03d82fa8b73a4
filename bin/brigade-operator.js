#!/usr/bin/env node
// Entry point of the brigade-operator binary. The sources are TypeScript run through Node's type
// stripping, which needs Node 24 (the production image is node:24).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `brigade-operator needs Node.js 24 or newer (this is ${process.version}); ` +
      'run it through `npm run` or `npx brigade-operator`, which use the Node 24 installed by `npm ci`.',
  );
  process.exit(2);
}
await import('../src/cli/main.ts');
