// Runs each real client, bare, in each scenario of fixtures/clients/clients.mjs against its fake
// service, and stores what it printed in fixtures/cases/<tool>/<scenario>.json with its source.
//   node scripts/capture.mjs [TOOL...]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENTS } from "../fixtures/clients/clients.mjs";
import {
  makeCertificate,
  startService,
} from "../fixtures/clients/services.mjs";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
for (const [name, client] of Object.entries(CLIENTS)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const tool = client.tool ?? name;
  const dir = mkdtempSync(join(tmpdir(), `authwrap-capture-${tool}-`));
  const cert = client.https ? makeCertificate(dir) : undefined;
  const service = client.service
    ? await startService(client.service, [
        ...(client.serviceArgs?.(dir) ?? []),
        ...(cert ? [cert.cert, cert.key] : []),
      ])
    : { port: 0, extraPort: 0, stop: () => {} };
  const version = execFileSync(
    client.binary,
    client.versionArgs ?? ["--version"],
    { encoding: "utf8" },
  )
    .split("\n")[0]
    .replace(/\s+/g, " ")
    .trim();
  try {
    for (const scenario of client.scenarios) {
      const env = {
        PATH: `${join(root, "fixtures/bin")}:${process.env.PATH}`,
        HOME: dir,
        LANG: "C.UTF-8",
        ...client.setup(dir, service.port, cert, service.extraPort),
      };
      client.credential(dir, scenario.state, env);
      const argv = client.argv(scenario.kind, env, dir);
      const result = spawnSync(argv[0], argv.slice(1), {
        env,
        encoding: "utf8",
        timeout: 60_000,
      });
      // Machine paths never go into fixtures: the temp folder, and the home folder (a client's own
      // warnings can name files under it).
      const scrub = (text) =>
        (service.port ? text.replaceAll(String(service.port), "<port>") : text)
          .replaceAll(dir, "<tmp>")
          .replaceAll(homedir(), "<home>");
      const fixture = {
        source: `captured by scripts/capture.mjs: ${version}${client.service ? ` against fixtures/services/${client.service}.mjs` : ""}`,
        tool,
        argv: argv.slice(1).map(scrub),
        exit_code: result.status,
        stdout: scrub(result.stdout),
        stderr: scrub(result.stderr),
        expect: {
          code: scenario.expect.code ?? "OK",
          ...(scenario.expect.ambiguous !== undefined
            ? { ambiguous: scenario.expect.ambiguous }
            : {}),
          ...(scenario.expect.required_permission
            ? { required_permission: scenario.expect.required_permission }
            : {}),
        },
      };
      mkdirSync(join(root, "fixtures/cases", tool), { recursive: true });
      writeFileSync(
        join(root, "fixtures/cases", tool, `${scenario.name}.json`),
        `${JSON.stringify(fixture, null, 2)}\n`,
      );
      console.log(`${tool}/${scenario.name}: exit ${result.status}`);
    }
  } finally {
    service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
