// ESLint (flat config): the recommended rules of ESLint and typescript-eslint, the promise rules
// that hold "every promise awaited", and a line-length limit. Formatting is Prettier's
// (.prettierrc.json), so eslint-config-prettier turns off every rule that would fight it; max-len
// is turned on again after it, for the lines Prettier cannot break (long comments).
// `npm run lint` runs it; docs/development.md says how to fix what it finds.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The width Prettier formats to (printWidth in .prettierrc.json). */
const MAX_LINE = 140;

export default defineConfig(
  {
    ignores: ['node_modules/', 'dist/', '.outerloop/', 'test/fixtures/', 'src/compose/schema/compose-spec-validator.js'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Every promise is awaited, returned or handed to something that handles it.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // As tsconfig's noUnusedLocals and noUnusedParameters; `_name` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // bin/ and the mocha reporter are CommonJS, as node loads them.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/tab/**/*.{ts,tsx}', 'test/support/tab-host/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Tool output is untrusted: the code matches control characters (ANSI escapes, NUL) on purpose.
      'no-control-regex': 'off',
      'max-len': [
        'error',
        { code: MAX_LINE, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
    },
  },
);
