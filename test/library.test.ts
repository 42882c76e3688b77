// The library (`import { run, classify, loadRules } from "authwrap"`), on the built dist/index.js:
// the CLI's behaviour in-process, resolving to the envelope, leaving the host process alone.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROOT, createSandbox } from "./helpers/run.js";

type Library = typeof import("../src/index.js");
const library = (): Promise<Library> =>
  import(pathToFileURL(join(ROOT, "dist/index.js")).href) as Promise<Library>;

describe("run()", () => {
  it("expired, re-auth succeeds, retry succeeds → the envelope with ok, data and one re-auth", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const options = { env: sandbox.env, cwd: sandbox.dir };
    await run(["democli", "auth", "login"], options);
    await run(["democli", "auth", "expire"], options);
    const envelope = await run(["democli", "deploy", "--env", "prod"], options);
    expect(envelope.ok).toBe(true);
    expect(envelope.error).toBeNull();
    expect(envelope.meta.attempts).toBe(2);
    expect(envelope.meta.reauth?.command).toBe("democli auth refresh");
    expect(Object.keys(envelope)).toEqual([
      "ok",
      "data",
      "error",
      "warnings",
      "meta",
    ]);
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("reauth: false is --no-reauth: CREDENTIALS_EXPIRED with the refresh command, nothing run", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const options = { env: sandbox.env, cwd: sandbox.dir };
    await run(["democli", "auth", "login"], options);
    await run(["democli", "auth", "expire"], options);
    const envelope = await run(["democli", "deploy"], {
      ...options,
      reauth: false,
    });
    expect(envelope.error?.code).toBe("CREDENTIALS_EXPIRED");
    expect(envelope.error?.refresh_command).toBe("democli auth refresh");
    expect(envelope.meta.reauth).toBeNull();
    expect(sandbox.refreshCount()).toBe(0);
  });

  it("reauth: a string is --reauth: that command renews the credential", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const options = { env: sandbox.env, cwd: sandbox.dir };
    await run(["democli", "auth", "login"], options);
    await run(["democli", "auth", "expire"], options);
    const marker = join(sandbox.dir, "custom-reauth-ran");
    const envelope = await run(["democli", "deploy"], {
      ...options,
      reauth: `touch ${marker} && democli auth refresh`,
    });
    expect(envelope.ok).toBe(true);
    expect(envelope.meta.reauth?.source).toBe("flag");
    expect(envelope.meta.reauth?.command).toContain(marker);
  });

  it("passes stdin and parses JSON stdout into data; a failing command is data, not a rejection", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const ok = await run(["node", "-e", "process.stdin.pipe(process.stdout)"], {
      env: sandbox.env,
      stdin: '{"answer":42}',
    });
    expect(ok.data).toEqual({ answer: 42 });
    const failed = await run(["node", "-e", "process.exit(3)"], {
      env: sandbox.env,
    });
    expect(failed.ok).toBe(false);
    expect(failed.error?.code).toBe("COMMAND_FAILED");
    expect(failed.meta.exit_code).toBe(3);
  });

  it("a timeout stops the command with SIGTERM and still resolves to one envelope", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const envelope = await run(["sleep", "30"], {
      env: sandbox.env,
      timeout: 200,
    });
    expect(envelope.ok).toBe(false);
    expect(envelope.meta.signal).toBe("SIGTERM");
    expect(envelope.warnings).toContain(
      "timed out after 200 ms (the timeout option); stopped with SIGTERM",
    );
  });

  it("an authwrap fault (a bad rule file) is an envelope too", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const bad = join(sandbox.dir, "bad.yaml");
    writeFileSync(bad, "version: 1\ntool: x\nrules: nope\n");
    const envelope = await run(["true"], {
      env: sandbox.env,
      classifiers: [bad],
    });
    expect(envelope.ok).toBe(false);
    expect(envelope.error?.code).toBe("INVALID_RULES");
  });

  it("leaves process signal handlers, argv, env and the exit code as they were", async () => {
    const { run } = await library();
    const sandbox = createSandbox();
    const argv = [...process.argv];
    const env = { ...process.env };
    const listeners = ["SIGINT", "SIGTERM", "SIGHUP"].map((name) =>
      process.listenerCount(name),
    );
    const exitCode = process.exitCode;
    const running = run(
      ["node", "-e", "setTimeout(() => process.exit(10), 100)"],
      {
        env: sandbox.env,
      },
    );
    // While the command runs, too: nothing is installed on the host process.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(
      ["SIGINT", "SIGTERM", "SIGHUP"].map((name) =>
        process.listenerCount(name),
      ),
    ).toEqual(listeners);
    const envelope = await running;
    // The child's own 10 is not an expiry: the envelope keeps it, the host's exit code is untouched.
    expect(envelope.meta.exit_code).toBe(10);
    expect(process.exitCode).toBe(exitCode);
    expect(process.argv).toEqual(argv);
    expect(process.env).toEqual(env);
  });
});

describe("classify() and loadRules()", () => {
  it("classifies captured output with the built-in rules, like `authwrap classify`", async () => {
    const { classify, loadRules } = await library();
    const sandbox = createSandbox();
    const rules = await loadRules({ env: sandbox.env, cwd: sandbox.dir });
    expect(rules.tools.map((set) => set.tool)).toContain("democli");
    const envelope = await classify(
      {
        command: "democli",
        exitCode: 4,
        stderr: "democli: token expired at 2030-01-01T00:00:00Z",
      },
      { rules, env: sandbox.env },
    );
    expect(envelope.error?.code).toBe("CREDENTIALS_EXPIRED");
    expect(envelope.error?.expires_at).toBe("2030-01-01T00:00:00Z");
    expect(envelope.error?.rule).toBe("classifiers/democli.yaml#expired-token");
  });

  it("loadRules rejects a broken rule file with the CLI's message", async () => {
    const { loadRules } = await library();
    const sandbox = createSandbox();
    const bad = join(sandbox.dir, "bad.yaml");
    writeFileSync(bad, "version: 1\ntool: x\nrules: nope\n");
    await expect(
      loadRules({ env: sandbox.env, classifiers: [bad] }),
    ).rejects.toMatchObject({ code: "INVALID_RULES" });
  });
});
