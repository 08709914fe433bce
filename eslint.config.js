// ESLint: typescript-eslint's recommended rules plus the import directions of ARCHITECTURE.md
// (protocols → core → storage contract ← backends; only backends know Redis or SQLite), and no
// import cycle. The folder boundaries (zones) are checked on resolved paths, `import type` included.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import noTypeCycle from './scripts/eslint/no-type-cycle.js';

const restrict = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/http/static/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', fetch: 'readonly', setTimeout: 'readonly' } },
  },
  restrict(['src/core/**'], ['fastify', 'fastify/*', '@fastify/*', 'ioredis', 'better-sqlite3', '**/http/**', '**/protocols/**', '**/storage/redis/**', '**/storage/sqlite/**'],
    'core/ knows only the storage contract: no HTTP, no Redis, no SQLite'),
  restrict(['src/protocols/**', 'src/http/**'], ['ioredis', 'better-sqlite3', '**/storage/redis/**', '**/storage/sqlite/**', '**/storage/open.js'],
    'protocols and http talk to core/, never to a storage backend'),
  restrict(['src/storage/contract.ts', 'src/storage/redis/**'], ['better-sqlite3', '**/storage/sqlite/**', '**/core/**', '**/http/**', '**/protocols/**'],
    'a backend knows only the contract'),
  restrict(['src/storage/sqlite/**'], ['ioredis', '**/storage/redis/**', '**/core/**', '**/http/**', '**/protocols/**'],
    'a backend knows only the contract'),
  restrict(['src/wire.ts', 'src/errors.ts', 'client/**'], ['fastify', 'ioredis', 'better-sqlite3', '**/core/**', '**/storage/**', '**/http/**'],
    'wire types, errors and the client SDK stand alone'),
  {
    files: ['src/**/*.ts', 'client/**/*.ts'],
    plugins: { 'import-x': importX, restmq: { rules: { 'no-type-cycle': noTypeCycle } } },
    settings: {
      // The plugin's TypeScript settings (which files it parses to follow imports), and a
      // resolver that maps the `.js` specifiers of our ESM TypeScript to the `.ts` files.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': 'error',
      // import-x/no-cycle does not follow `import type`; this one does.
      'restmq/no-type-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./src/*/**', './src/!(main).ts', './client/**'],
              from: './src/http/app.ts',
              message: 'http/app.ts is the composition root: only src/main.ts imports it (registrars take their own options)',
            },
            {
              target: ['./src/http/kit', './src/protocols', './src/dashboard', './src/metrics'],
              from: './src/http',
              except: ['./kit'],
              message: 'route handlers (protocols, dashboard, metrics) use the toolkit in http/kit; the rest of http/ (app, hooks) imports them, not the reverse',
            },
            {
              target: './src/protocols',
              from: './src/storage',
              message: 'protocols know core/ and wire.ts, never storage/ (not even its types)',
            },
            {
              target: './client',
              from: './src/storage',
              message: 'the client SDK is typed by src/wire.ts, never by storage/',
            },
          ],
        },
      ],
    },
  },
);
