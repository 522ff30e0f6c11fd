// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const serverOnly = ['@nestjs/*', 'typeorm', 'mysql2', 'mysql2/*', 'better-sqlite3', 'fastify'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.next/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Raw SQL rows and parsed JSON are typed at the boundary; these rules fight that.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // The shared library: importable by a browser bundle and by other teams' services.
    files: ['libs/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: serverOnly, message: 'the contracts library carries no server dependency' }] }],
    },
  },
  {
    files: ['libs/contracts/src/index.ts', 'libs/contracts/src/lib/**/*.ts', 'libs/contracts/src/testing/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: serverOnly, message: 'the contracts library carries no server dependency' },
            { group: ['node:*', '../node/*', '../node'], message: 'the main entry must stay browser-safe: Node-only code lives in src/node' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/require-await': 'off' },
  },
);
