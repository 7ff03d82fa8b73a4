// Lint configuration. typescript-eslint's strict type-checked rules over the TypeScript: the operator's
// correctness depends on every API write being awaited or handled, so the promise rules matter most.
// Plain recommended rules over the JavaScript that runs inside the script sandbox and the tool scripts.
// Formatting is Prettier's job (.prettierrc.json); nothing here argues with it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'crds/', 'charts/', 'cluster/', 'test/e2e/walkthroughs/', 'coverage/', 'dist/'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A default branch is a stated decision about the members not listed (every other operator is
      // arithmetic, every other reason is Invalid); what must not pass is a switch that silently does
      // nothing for a member nobody thought of.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      complexity: ['error', 15],
      'max-depth': ['error', 4],
      // client-node's V1* models are classes only as a code-generation artefact: the library takes and
      // returns plain objects (its ObjectSerializer never needs an instance), and so does this code.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // A number in a message reads fine; objects, undefined and null in one are the bugs to catch.
      // The keys deleted dynamically are JSON document fields (patches, pruning, defaulting, admission):
      // those documents go back on the wire and must stay plain objects, so a Map is no alternative.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Destructuring a property out to leave the rest is how this code omits fields from an object.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node:test's test()/describe() return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    // The dashboard's front end runs in the browser (its own tsconfig: DOM types, Preact's JSX).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Tests: fixtures may be deliberately loose.
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [js.configs.recommended],
  },
  {
    // Tools and the CLI entry run under Node.
    files: ['bin/**/*.js', 'scripts/**/*.mjs', '**/*.cjs', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // brigade.js scripts and the brigadier library run in the QuickJS sandbox, which has the language's
    // own globals plus exactly these (defined by src/script/brigadier/runtime.js), and nothing of Node.
    files: ['src/script/brigadier/**/*.js', 'samples/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        [
          'require',
          'module',
          'exports',
          'console',
          'global',
          'setTimeout',
          'setInterval',
          'setImmediate',
          'clearTimeout',
          'clearInterval',
          'clearImmediate',
          'URL',
          'URLSearchParams',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      // A Brigade 1 handler's signature is (e, project); scripts name both even when they use one.
      // An unused catch binding is named for what the failure means (_unprintable, _hostile).
      'no-unused-vars': ['error', { args: 'none', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // These patterns exist to find control characters: the WHATWG URL encode sets of the sandbox's url
    // module, and the characters git forbids in a ref.
    files: ['src/script/brigadier/node/url.js', 'src/gateway/event.ts'],
    rules: { 'no-control-regex': 'off' },
  },
);
