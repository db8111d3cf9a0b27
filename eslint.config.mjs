// Lint rules: typescript-eslint's recommended set plus the dependency rules of DESIGN.md, so a
// core module that imports a cloud library, or one engine's compiler that imports another's,
// fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noImport = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'build/', '.mlops/', '.venv/', 'bin/mlops.js', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Escaping control characters and reading ANSI codes needs them in regular expressions.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['lib/**/*.ts'],
    rules: noImport(['aws-cdk-lib', 'aws-cdk-lib/*', 'cdk8s', 'cdk8s-plus-27', 'constructs', '**/constructs/**'], 'lib/ is target-neutral: it imports neither aws-cdk-lib, cdk8s nor the constructs (DESIGN.md)'),
  },
  ...['sagemaker', 'argo', 'kubeflow'].map((engine) => ({
    files: [`lib/compile/${engine}/**/*.ts`],
    rules: noImport(['../argo', '../argo/*', '../kubeflow', '../kubeflow/*', '../sagemaker', '../sagemaker/*'].filter((p) => !p.includes(engine)), 'a compiler knows one engine: lib/compile/X never imports lib/compile/Y (DESIGN.md)'),
  })),
  {
    files: ['constructs/aws/**/*.ts'],
    rules: noImport(['cdk8s', 'cdk8s-plus-27', '../k8s', '../k8s/*'], 'constructs/aws never imports the Kubernetes family (DESIGN.md)'),
  },
  {
    files: ['constructs/k8s/**/*.ts'],
    rules: noImport(['aws-cdk-lib', 'aws-cdk-lib/*', '../aws', '../aws/*'], 'constructs/k8s never imports the AWS family (DESIGN.md)'),
  },
);
