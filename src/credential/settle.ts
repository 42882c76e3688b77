// What the credential itself says, applied to a verdict. Pure. A bare refusal (UNAUTHENTICATED,
// ambiguous) is settled as an expiry when the credential's own times say it has lapsed, or
// (inferred) when this very credential was seen to work before; otherwise it stays ambiguous.
// Every step is recorded for meta.evidence.
import type { Verdict } from "../types.js";
import type { FoundCredential } from "./found.js";

export interface CredentialFacts {
  found?: FoundCredential;
  /** The found credential's fingerprint matches one recorded after a success. */
  workedBefore: boolean;
  /** Why nothing could be found or read, when nothing was. */
  missing?: string;
}

export function settleVerdict(
  verdict: Verdict,
  facts: CredentialFacts,
  now: number,
): Verdict {
  const { found } = facts;
  const evidence = [...(verdict.evidenceTrail ?? [])];
  if (!found) {
    evidence.push(facts.missing ?? "no credential found for this tool");
    return { ...verdict, evidenceTrail: evidence };
  }
  const expiresAt =
    found.expiresAt === undefined ? undefined : isoOf(found.expiresAt);
  const credential = { kind: found.kind, source: found.source, expiresAt };
  // The output's own time, when it gave one, stays: it is what the service said.
  const withCredential: Verdict = {
    ...verdict,
    credential,
    expiresAt: verdict.expiresAt ?? expiresAt,
  };
  const bare = verdict.code === "UNAUTHENTICATED" && verdict.ambiguous;
  if (!bare) return { ...withCredential, evidenceTrail: evidence };
  if (found.expiresAt !== undefined && found.expiresAt <= now) {
    evidence.push(
      `the credential in ${found.source} expired at ${expiresAt}: the refusal is its expiry`,
    );
    return asExpiry(withCredential, evidence, false, expiresAt);
  }
  if (facts.workedBefore) {
    evidence.push(
      `the credential in ${found.source} worked before and is now rejected: expired or revoked — a refresh is the right first step`,
    );
    return asExpiry(withCredential, evidence, true, undefined);
  }
  evidence.push(
    found.expiresAt === undefined
      ? `the credential in ${found.source} states no expiry and was never seen to work`
      : `the credential in ${found.source} is valid until ${expiresAt} by its own times and was never seen to work`,
  );
  return { ...withCredential, evidenceTrail: evidence };
}

function asExpiry(
  verdict: Verdict,
  evidence: string[],
  inferred: boolean,
  expiresAt: string | undefined,
): Verdict {
  const tool = verdict.message?.split(":")[0] ?? "the command";
  return {
    ...verdict,
    code: "CREDENTIALS_EXPIRED",
    ambiguous: false,
    retryable: true,
    inferred: inferred || undefined,
    message: inferred
      ? `${tool}: the credential worked before and is now rejected (expired or revoked)`
      : `${tool}: credentials have expired at ${expiresAt}`,
    expiresAt: verdict.expiresAt ?? expiresAt,
    // The refusal itself named no expiry: the hint for a missing login no longer applies.
    hint: undefined,
    evidenceTrail: evidence,
  };
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}
