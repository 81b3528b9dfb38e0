// Flat ESLint config: typescript-eslint's recommended rules over apps/, libs/, tools/ and test/.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Use crypto.randomInt / randomBytes (CSPRNG) for every code.' },
      ],
    },
  },
  {
    // process.env is read only by the config lib, tools and tests (STYLE.md).
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through @app/config only.' },
        { object: 'Math', property: 'random', message: 'Use crypto.randomInt / randomBytes (CSPRNG) for every code.' },
      ],
    },
  },
);
