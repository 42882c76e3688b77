// Rule patterns → RegExps, refusing what cannot run in linear time, with messages that name
// the file, the rule and the field.
import { AuthwrapError } from "../errors.js";
import { boundRepetitions } from "./bound.js";
import { foldCase } from "./casefold.js";

export interface PatternPlace {
  file: string;
  rule: string;
  field: string;
}

/**
 * The built-in rules' patterns as they run (case spelled out, gaps bounded), worked out at build
 * time: rewriting them costs more start-up time than all of the rest of loading the rules.
 * Keyed by flags and pattern, so a user's identical pattern shares the entry.
 */
let prepared: Record<string, string> = {};
/** Reads them on the first pattern built: a call whose command exits 0 builds none. */
let loadPrepared: (() => Record<string, string>) | undefined;
/** While set (at build time), every rewritten pattern is recorded here. */
let recording: Record<string, string> | undefined;

export function usePreparedSources(
  sources: Record<string, string> | (() => Record<string, string>),
): void {
  if (typeof sources === "function") {
    prepared = {};
    loadPrepared = sources;
  } else {
    prepared = sources;
    loadPrepared = undefined;
  }
}

/** Runs `work`, returning with its result the rewritten form of every pattern it built. */
export function recordPreparedSources<T>(work: () => T): {
  result: T;
  sources: Record<string, string>;
} {
  recording = {};
  try {
    const result = work();
    return { result, sources: recording };
  } finally {
    recording = undefined;
  }
}

/** Features V8's linear-time engine cannot run; without them no pattern can hang authwrap. */
const NON_LINEAR_FEATURES: Array<[RegExp, string]> = [
  [/\\[1-9]|\\k</, "backreferences"],
  [/\(\?<?[=!]/, "lookahead or lookbehind"],
];

export function buildRegExp(
  pattern: string,
  flags: string,
  where: PatternPlace,
): RegExp {
  for (const [feature, name] of NON_LINEAR_FEATURES) {
    if (feature.test(pattern)) {
      throw new AuthwrapError(
        "INVALID_RULES",
        `${where.file} › rule ${where.rule} › ${where.field}: ${name} are not allowed; rule patterns must run in linear time (plain groups, classes, alternation and repetition are fine)`,
        { ...where, value: pattern },
      );
    }
  }
  if (flags.includes("u")) {
    throw new AuthwrapError(
      "INVALID_RULES",
      `${where.file} › rule ${where.rule} › ${where.field}: flag u is not allowed; V8's linear-time engine cannot run unicode-mode patterns (use i, m, s)`,
      { ...where, value: flags },
    );
  }
  // V8's linear-time engine refuses `i`, so case-insensitivity is spelled out as classes.
  if (loadPrepared) {
    prepared = loadPrepared();
    loadPrepared = undefined;
  }
  const key = `${flags}/${pattern}`;
  const source =
    prepared[key] ??
    boundRepetitions(flags.includes("i") ? foldCase(pattern) : pattern);
  if (recording) recording[key] = source;
  try {
    return new RegExp(source, flags.replace("i", ""));
  } catch (error) {
    const reason = (error as Error).message.replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /,
      "",
    );
    throw new AuthwrapError(
      "INVALID_RULES",
      `${where.file} › rule ${where.rule} › ${where.field}: ${reason.toLowerCase()}; expected a JavaScript regular expression`,
      { ...where, value: pattern },
    );
  }
}

/** Names of the named groups in a pattern. */
export function namedGroups(pattern: string): string[] {
  return [...pattern.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map(
    (match) => match[1]!,
  );
}
