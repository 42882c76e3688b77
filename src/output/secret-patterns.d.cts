// Types for secret-patterns.cjs (a plain CommonJS data file, so it can be loaded synchronously on demand).
export interface TokenPattern {
  /** Our name for the shape. */
  id: string;
  /** The gitleaks or secretlint rule it mirrors, or `authwrap (<documented format>)`. */
  mirrors: string;
  /** Literals the secret contains; the pattern runs only on text holding one of them. */
  hints?: readonly string[];
  /** Global; capture group 1, when there is one, is context that stays; the rest of the match is the secret. */
  pattern: RegExp;
}
export declare const TOKEN_PATTERNS: readonly TokenPattern[];
export declare const PEM_HEADER: RegExp;
export declare const ASSIGNMENT: RegExp;
export declare const ASSIGNMENT_VALUE: RegExp;
export declare const FLAG: RegExp;
export declare const AUTHORIZATION: RegExp;
export declare const COOKIE: RegExp;
export declare const SECRET_NAME: RegExp;
export declare const NOT_SECRET_NAME: RegExp;
export declare const SECRET_FLAG: RegExp;
export declare const PLACEHOLDER: RegExp;
