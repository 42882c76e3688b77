// Credentials handed to an HTTP client on its command line: curl's `-H 'Authorization: …'`
// (also from a header file, `-H @file`), `--oauth2-bearer TOKEN` and `-u user:password`. The
// value is only fingerprinted; the source is the flag or the file's path, never the value.
import type { FoundCredential, ProbeInput } from "./found.js";
import { readBounded } from "./read.js";
import { fromToken } from "./token.js";

const AUTHORIZATION = /^\s*authorization\s*:\s*(\S+)\s+(\S+)\s*$/i;

/** The last credential on the command line wins, as the last Authorization header does. */
export function probeCurlAuth({
  args,
  log,
}: ProbeInput): FoundCredential | undefined {
  let found: FoundCredential | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    const header = optionValue(args, i, "-H", "--header");
    if (header) {
      i += header.consumed;
      const fromHeader = header.value.startsWith("@")
        ? fromHeaderFile(header.value.slice(1), log)
        : fromHeaderLine(header.value, `curl ${header.flag} argument`);
      if (fromHeader) found = fromHeader;
      continue;
    }
    const bearer = optionValue(args, i, undefined, "--oauth2-bearer");
    if (bearer) {
      i += bearer.consumed;
      found = fromToken(
        "curl_auth",
        "curl --oauth2-bearer argument",
        bearer.value,
      );
      continue;
    }
    const user = optionValue(args, i, "-u", "--user");
    if (user) {
      i += user.consumed;
      // Basic credentials: opaque, fingerprinted only.
      found = {
        kind: "curl_auth",
        source: `curl ${user.flag} argument`,
        secret: user.value,
      };
    }
  }
  if (!found)
    log(
      "credential: no Authorization header, --oauth2-bearer or -u on curl's command line",
    );
  return found;
}

/** `-H V`, `-HV` (short options take their value attached too) or `--header V`. */
function optionValue(
  args: string[],
  i: number,
  short: string | undefined,
  long: string,
): { value: string; consumed: number; flag: string } | undefined {
  const arg = args[i]!;
  if ((arg === short || arg === long) && args[i + 1] !== undefined)
    return { value: args[i + 1]!, consumed: 1, flag: arg };
  if (
    short &&
    arg.startsWith(short) &&
    arg.length > short.length &&
    !arg.startsWith("--")
  )
    return { value: arg.slice(short.length), consumed: 0, flag: short };
  return undefined;
}

function fromHeaderLine(
  line: string,
  source: string,
): FoundCredential | undefined {
  const match = AUTHORIZATION.exec(line);
  return match ? fromToken("curl_auth", source, match[2]!) : undefined;
}

function fromHeaderFile(
  path: string,
  log: (line: string) => void,
): FoundCredential | undefined {
  // `@-` is curl's stdin, which is the command's: not ours to read.
  if (path === "-") {
    log("credential: curl reads its headers from stdin (-H @-); not read");
    return undefined;
  }
  const read = readBounded(path);
  if ("error" in read) {
    log(`credential: ${read.error}`);
    return undefined;
  }
  let found: FoundCredential | undefined;
  for (const line of read.text.split(/\r?\n/))
    found = fromHeaderLine(line, path) ?? found;
  if (!found) log(`credential: ${path} holds no Authorization header`);
  return found;
}
