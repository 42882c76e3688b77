// What a probe finds: the credential the command will use, where it sits and what it says about
// its own lifetime. `secret` stays in memory, only to be fingerprinted; it is never output or stored.

export interface FoundCredential {
  kind: string;
  /** A path (with the entry inside it) or an environment variable's NAME; never the value. */
  source: string;
  /** ms since the epoch, when the credential or its cache says */
  expiresAt?: number;
  issuedAt?: number;
  secret: string;
}

export interface ProbeInput {
  env: Record<string, string | undefined>;
  /** The wrapped command's arguments (--profile, --kubeconfig, --context). */
  args: string[];
  /** Why a source yields nothing, for --verbose. */
  log: (line: string) => void;
}

/** The value of `--name V` or `--name=V` in args. */
export function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return undefined;
    if (arg === name) return args[i + 1];
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
  }
  return undefined;
}
