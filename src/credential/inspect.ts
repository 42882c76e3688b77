// The credential stage's entry for wrap.ts, loaded by import() only when a verdict or a
// proactive check needs it: probe the tool's declared sources, look the credential up among
// those seen working, and record one that worked.
import type { ProbeSpec } from "../rules/schema.js";
import type { CredentialInfo, Verdict } from "../types.js";
import { judgeLifetime, type Lifetime } from "./lifetime.js";
import type { FoundCredential, ProbeInput } from "./found.js";
import { probeCredential } from "./probe.js";
import { hasWorkedBefore, recordWorking, touchStamp } from "./seen.js";
import { settleVerdict } from "./settle.js";

export interface InspectInput extends ProbeInput {
  tool: string;
  probes: ProbeSpec[];
  stateDir: string;
}

export async function inspectVerdict(
  verdict: Verdict,
  input: InspectInput,
): Promise<Verdict> {
  const found = await probeCredential(input.probes, input);
  let workedBefore = false;
  if (found) {
    try {
      workedBefore = hasWorkedBefore(input.stateDir, input.tool, found);
    } catch (error) {
      input.log(`credential: state folder: ${(error as Error).message}`);
    }
  }
  return settleVerdict(
    verdict,
    {
      found,
      workedBefore,
      missing: found
        ? undefined
        : `none of ${input.tool}'s credential sources (${input.probes.map((p) => p.kind).join(", ")}) could be read`,
    },
    Date.now(),
  );
}

/** After a success: remember the credential as working (wrap.ts decides how often: stamp.ts). */
export async function recordSuccess(input: InspectInput): Promise<void> {
  const found = await probeCredential(input.probes, input);
  try {
    if (found) recordWorking(input.stateDir, input.tool, found);
    else touchStamp(input.stateDir, input.tool);
  } catch (error) {
    input.log(`credential: not recorded: ${(error as Error).message}`);
  }
}

/** Before the first attempt: the credential, and whether it is due for a refresh. */
export async function checkLifetime(
  input: InspectInput,
  minTtlMs: number,
): Promise<{ found?: FoundCredential; lifetime?: Lifetime }> {
  const found = await probeCredential(input.probes, input);
  if (!found) return {};
  const lifetime = judgeLifetime(found, minTtlMs, Date.now());
  input.log(
    `credential: ${lifetime.due ? "refresh before the first attempt" : "no refresh needed"}: ${lifetime.reason}`,
  );
  return { found, lifetime };
}

/** Where it is and when it expires; never the value. */
export function describeCredential(found: FoundCredential): CredentialInfo {
  return {
    kind: found.kind,
    source: found.source,
    expiresAt:
      found.expiresAt === undefined
        ? undefined
        : new Date(found.expiresAt).toISOString().replace(".000Z", "Z"),
  };
}
