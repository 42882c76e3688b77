// node:crypto on first use: loading it costs ~5 ms of start-up (it pulls in the stream
// modules), and a successful call with no rule files of the user's never needs it.
import { createRequire } from "node:module";

let crypto: typeof import("node:crypto") | undefined;

export function lazyCrypto(): typeof import("node:crypto") {
  return (crypto ??= createRequire(import.meta.url)(
    "node:crypto",
  ) as typeof import("node:crypto"));
}
