// Lint rules that catch the bugs a daemon cannot afford: unawaited promises and untyped values.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'test-artifacts/**', '.tmp/**', '**/*.tmp.ts', '*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Build and CI scripts run on Node; page.evaluate callbacks in them run in the browser.
    files: ['**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['daemon/**/*.ts', 'shared/**/*.ts'],
    rules: {
      'no-console': ['error', { allow: ['error', 'warn'] }],
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'daemon/ and shared/ never import vscode' }] }],
    },
  },
);
