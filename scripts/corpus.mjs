// The stored corpus (fixtures/cases/<tool>/<case>.json) and its fixed check split.
// The check split is about a third of each label, chosen by a seeded hash of the case id, so it
// never changes when cases are added and cannot be picked by looking at the texts.
// Rule authors do not read the check cases while writing rules; `npm run accuracy` reports both.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const SEED = "authwrap-check-split-v1";
export const LABELS = [
  "expired",
  "unauthenticated",
  "denied",
  "ambiguous",
  "other",
];

/** The label of a case: its own, else derived from what it expects (the first cases had none). */
export function labelOf(fixture) {
  if (fixture.label) return fixture.label;
  const { code, ambiguous } = fixture.expect;
  if (code === "CREDENTIALS_EXPIRED") return "expired";
  if (code === "UNAUTHENTICATED")
    return ambiguous ? "ambiguous" : "unauthenticated";
  if (code === "PERMISSION_DENIED") return "denied";
  return "other";
}

const hashOf = (id) =>
  createHash("sha256").update(`${SEED}\0${id}`).digest("hex");

/** Every case with its id (`tool/name`), label and split ('train' or 'check'). */
export function loadCorpus(root) {
  const dir = join(root, "fixtures/cases");
  const cases = readdirSync(dir)
    .sort()
    .flatMap((tool) =>
      readdirSync(join(dir, tool))
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => {
          const fixture = JSON.parse(
            readFileSync(join(dir, tool, name), "utf8"),
          );
          const id = `${tool}/${name.replace(/\.json$/, "")}`;
          return {
            id,
            file: `${tool}/${name}`,
            ...fixture,
            label: labelOf(fixture),
          };
        }),
    );
  // A case's split depends on its id alone, so adding cases never moves another one.
  for (const c of cases)
    c.split =
      parseInt(hashOf(c.id).slice(0, 8), 16) % 3 === 0 ? "check" : "train";
  return cases;
}
