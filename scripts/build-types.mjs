// Writes the library's types: dist/index.d.ts from src/index.ts (TypeScript's per-file declaration
// emit), and dist/envelope.d.ts from the envelope's JSON Schema (itself made from the zod schema
// and kept in step with it by test/schema drift checks). The types then need no zod at the
// user's end: zod is bundled, not installed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const dist = join(root, "dist");

const schema = JSON.parse(
  readFileSync(join(root, "schema/envelope.schema.json"), "utf8"),
);
writeFileSync(
  join(dist, "envelope.d.ts"),
  `// Generated from schema/envelope.schema.json by scripts/build-types.mjs.\n` +
    `/** One run's result: what \`authwrap --json\` prints. */\n` +
    `export interface Envelope ${typeOf(schema, "")}\n` +
    `export type EnvelopeError = NonNullable<Envelope["error"]>;\n`,
);

const source = join(root, "src/index.ts");
const { outputText, diagnostics } = ts.transpileDeclaration(
  readFileSync(source, "utf8"),
  {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.NodeNext, strict: true },
  },
);
if (diagnostics?.length) {
  for (const d of diagnostics)
    console.error(
      `build-types: src/index.ts: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
  process.exit(1);
}
// Only the envelope's types may come from elsewhere in src/; anything more would be missing from dist/.
const declarations = outputText.replaceAll(
  '"./output/envelope-schema.js"',
  '"./envelope.js"',
);
const stray = [...declarations.matchAll(/from "(\.[^"]*)"/g)]
  .map((match) => match[1])
  .filter((path) => path !== "./envelope.js");
if (stray.length > 0) {
  console.error(
    `build-types: src/index.ts's public types import ${stray.join(", ")}; keep them to node: modules and the envelope`,
  );
  process.exit(1);
}
writeFileSync(join(dist, "index.d.ts"), declarations);

/** A JSON Schema (the subset zod's toJSONSchema writes) as a TypeScript type. */
function typeOf(node, indent) {
  if (node === true || node === undefined || Object.keys(node).length === 0)
    return "unknown";
  if (node.$ref) return typeOf(resolve(node.$ref), indent);
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (node.anyOf || node.oneOf)
    return (node.anyOf ?? node.oneOf)
      .map((member) => typeOf(member, indent))
      .join(" | ");
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return types
    .map((type) => {
      if (type === "string") return "string";
      if (type === "number" || type === "integer") return "number";
      if (type === "boolean") return "boolean";
      if (type === "null") return "null";
      if (type === "array") return `${wrap(typeOf(node.items, indent))}[]`;
      if (type === "object") return objectOf(node, indent);
      return "unknown";
    })
    .join(" | ");
}

function objectOf(node, indent) {
  const inner = `${indent}  `;
  const required = new Set(node.required ?? []);
  const lines = Object.entries(node.properties ?? {}).map(([key, value]) => {
    const doc = value.description
      ? `${inner}/** ${value.description.replaceAll("*/", "*\\/")} */\n`
      : "";
    const optional = required.has(key) ? "" : "?";
    return `${doc}${inner}${key}${optional}: ${typeOf(value, inner)};`;
  });
  if (node.additionalProperties && node.additionalProperties !== false)
    lines.push(
      `${inner}[key: string]: ${typeOf(node.additionalProperties === true ? {} : node.additionalProperties, inner)};`,
    );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function wrap(type) {
  return /[|&]/.test(type) ? `(${type})` : type;
}

function resolve(ref) {
  if (!ref.startsWith("#/"))
    throw new Error(`build-types: unsupported $ref ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .reduce((at, key) => at[key], schema);
}
