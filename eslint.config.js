// One lint setup for the whole repository: TypeScript in server/, bench/ and web/, Vue SFCs in web/.
// TypeScript and Vue files are linted with type information (the typescript-eslint project
// service finds each file's tsconfig), so floating and misused promises are errors.
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const pluginVue = require('eslint-plugin-vue');
const globals = require('globals');

module.exports = defineConfig(
  {
    ignores: ['**/dist/**', '**/coverage/**', '**/.data/**', '.yarn/**', 'web/src/graphql/generated.ts', 'web/test-results/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.ts', '**/*.vue'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: __dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
    rules: {
      // Layout rules that only move attributes and text between lines.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': ['error', { html: { void: 'always', normal: 'never', component: 'always' } }],
    },
  },
  {
    files: ['web/src/**/*.{ts,vue}'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['server/**/*.{ts,js}', 'bench/**/*.ts', 'web/*.{ts,cjs}', 'web/test/**/*.ts', '*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests read untyped GraphQL responses (`res.data.recipients.items[0]`).
    files: ['server/test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,cjs}'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
