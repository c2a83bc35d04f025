// Type-aware linting: every rule that needs type information sees the whole project.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'jest.config.js',
      '**/dist/',
      'node_modules/',
      '.data/',
      'coverage/',
      'eslint.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Production code stands alone: the harness, the bench and the tests use it, never
    // the other way round (support/ keeps copies of the few helpers src/ also needs).
    files: ['src/**/*.ts', 'machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(support|harness|bench|test)(/|$)',
              message: 'src/ and machines/ never import from support/, harness/, bench/ or test/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The lock package stands alone: it imports nothing of the service (its tests may use
    // the repository's test servers: support/, harness/procs/).
    files: ['packages/lock/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./\\.\\./',
              message: 'the lock package imports nothing from outside packages/lock/src.',
            },
          ],
        },
      ],
    },
  },
  {
    // supertest bodies are `any`: tests read them freely and assert on them.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
