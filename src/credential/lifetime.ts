// When a credential is due for a refresh before it is used: past 80% of its lifetime when the
// issue time is known (the credential-lifecycle guidance: refresh at 80%, before the call, not
// after a 401), else with less than the minimum TTL left (aws-vault's rule). Pure.
import type { FoundCredential } from "./found.js";

export const REFRESH_AT_FRACTION = 0.8;

export interface Lifetime {
  due: boolean;
  /** Why, in words, for --verbose and `status`. */
  reason: string;
}

export function judgeLifetime(
  found: FoundCredential,
  minTtlMs: number,
  now: number,
): Lifetime {
  const { expiresAt, issuedAt } = found;
  if (expiresAt === undefined)
    return { due: false, reason: "its lifetime is not known" };
  if (expiresAt <= now) return { due: true, reason: "it has expired" };
  const left = expiresAt - now;
  if (issuedAt !== undefined && issuedAt < expiresAt) {
    const used = (now - issuedAt) / (expiresAt - issuedAt);
    const percent = Math.round(used * 100);
    return used > REFRESH_AT_FRACTION
      ? { due: true, reason: `${percent}% of its lifetime has passed` }
      : { due: false, reason: `${percent}% of its lifetime has passed` };
  }
  return left < minTtlMs
    ? {
        due: true,
        reason: `${describeSpan(left)} left, under the minimum ${describeSpan(minTtlMs)}`,
      }
    : { due: false, reason: `${describeSpan(left)} left` };
}

/** 90 s, 15 min, 2 h 5 min, 3 d. */
export function describeSpan(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ""}`;
  return `${Math.round(h / 24)} d`;
}
