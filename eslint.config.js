// ESLint for the whole monorepo: type-aware typescript-eslint rules on every
// package's sources and tests, plain rules on the few JavaScript entry points.
// Formatting is Prettier's job, so eslint-config-prettier comes last.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

// libs/console/web holds the console page (Preact, TSX), typed by its own tsconfig (DOM, JSX).
const typescriptSources = ["apps/*/src/**/*.ts", "libs/*/src/**/*.ts", "libs/*/web/src/**/*.{ts,tsx}", "proto/src/**/*.ts"];
// No package's tsconfig includes its tests (vitest runs them through esbuild), so
// one tsconfig gathers every test file for the type information.
const typescriptTests = ["apps/*/test/**/*.ts", "libs/*/test/**/*.ts", "test/**/*.ts", "deploy/test/**/*.ts", "vitest.config.ts"];
const typescriptFiles = [...typescriptSources, ...typescriptTests];

export default defineConfig(
  {
    ignores: ["**/dist/**", "**/node_modules/**", "proto/gen/**", ".nx/**", "coverage/**", ".toolmesh/**", "tmp/**"],
  },
  eslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      sourceType: "module",
      globals: { console: "readonly", process: "readonly", URL: "readonly" },
    },
  },
  {
    files: typescriptFiles,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Each source file is typed by its own package's tsconfig.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `void promise` marks a deliberate fire-and-forget whose errors are handled where it is created.
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          args: "after-used",
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
      // `let x; start(() => x...); x = await ...`: a closure made before the assignment reads it later.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Passing on a rejection reason we were given (an abort reason, a caught error) is fine;
      // rejecting with a literal non-Error is still an error.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      // An async function without await is deliberate here: it fulfils a Promise-returning
      // contract (handlers, backends, test doubles) and turns a synchronous throw into a rejection.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    files: typescriptTests,
    languageOptions: {
      parserOptions: { projectService: false, project: "./tsconfig.eslint.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Tests read rendered manifests, JSON bodies and protocol frames as untyped data on
      // purpose; the expectations are the check. Floating promises and the rest still apply.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  prettier,
);
