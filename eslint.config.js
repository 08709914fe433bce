// ESLint: typescript-eslint's recommended rules plus the import directions of ARCHITECTURE.md
// (protocols → core → storage contract ← backends; only backends know Redis or SQLite).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
);
