// Fills `{name}` placeholders in rule strings; a `[ ... ]` segment is dropped whole when any
// placeholder inside it has no value, so `aws sso login[ --profile {profile}]` reads naturally.
import { quote } from "shell-quote";

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;
const OPTIONAL_SEGMENT = /\[([^[\]]*)\]/g;

export function fillTemplate(
  template: string,
  values: Record<string, string | undefined>,
): string | undefined {
  const withOptional = template.replace(
    OPTIONAL_SEGMENT,
    (_m, inner: string) => fillPlain(inner, values) ?? "",
  );
  return fillPlain(withOptional, values);
}

/** Names used as placeholders in a template, for validation. */
export function listPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

function fillPlain(
  text: string,
  values: Record<string, string | undefined>,
): string | undefined {
  let missing = false;
  const result = text.replace(PLACEHOLDER, (_m, name: string) => {
    const value = values[name];
    if (value === undefined || value === "") missing = true;
    return value ?? "";
  });
  return missing ? undefined : result;
}

/**
 * Fills a command template that will run through the shell: every value is shell-quoted, so a
 * `--profile 'dev;touch x'` or an `AWS_PROFILE='$(…)'` stays one inert word.
 */
export function fillCommand(
  template: string,
  values: Record<string, string | undefined>,
): string | undefined {
  const quoted: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(values))
    quoted[name] =
      value === undefined || value === "" ? value : quoteWord(value);
  return fillTemplate(template, quoted);
}

/** Plain words stay as they are (`dev`, `my-profile`); anything else is single-quoted. */
function quoteWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : quote([value]);
}
