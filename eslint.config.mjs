// ESLint at its recommended defaults, for JavaScript and TypeScript alike.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "bench/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Prettier wraps code at 80; this bounds what it does not wrap (comments). Strings,
    // templates, patterns and URLs are left whole: a message reads better on one line.
    rules: {
      "max-len": [
        "error",
        {
          code: 140,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
        },
      ],
    },
  },
  {
    files: ["**/*.mjs", "fixtures/bin/*"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
        performance: "readonly",
        setTimeout: "readonly",
        clearInterval: "readonly",
        setInterval: "readonly",
      },
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable" },
    },
  },
);
