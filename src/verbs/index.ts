// Parses a verb's own arguments with yargs and runs it. Loaded only when a verb is used.
import { resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import yargs from "yargs";
import { AuthwrapError } from "../errors.js";
import type { Redactor } from "../output/redact.js";
import type { RuleSources } from "../rules/load.js";
import type { VerbName } from "../cli.js";
import { EXIT_CODE_PROFILES, type ExitCodeProfile } from "../codes.js";
import type { CallerKind } from "../reauth/command.js";

/** What a verb gets from main.ts: its streams, env and rule sources. */
export interface VerbIO {
  sources: RuleSources;
  stateDir: string;
  /** Read only by `authwrap mcp` (the JSON-RPC stream). */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  redact: Redactor;
  /** For `config`: where a project's config is looked for, and who runs (the timeouts' default). */
  cwd?: string;
  callerKind?: CallerKind;
  /** --json given before the verb. */
  json?: boolean;
}

export async function runVerb(
  verb: VerbName,
  argv: string[],
  verbContext: VerbIO,
): Promise<number> {
  if (verb === "config") {
    // Its own argv: authwrap's options and a command after --, which yargs would read as its own.
    const { runConfigVerb } = await import("./config.js");
    return runConfigVerb(argv, verbContext);
  }
  if (verb === "completion" || verb === "alias") {
    // Shell code on stdout; alias takes tool names, completion one shell name.
    if (verb === "alias") {
      const { printAliases } = await import("./alias.js");
      return printAliases(argv, verbContext.env, verbContext.stdout);
    }
    const { printCompletion } = await import("./completion.js");
    if (argv.length !== 1)
      throw new AuthwrapError(
        "USAGE_ERROR",
        "usage: authwrap completion bash|zsh|fish",
      );
    return printCompletion(
      argv[0]!,
      verbContext.sources.builtinPath,
      verbContext.stdout,
    );
  }
  let context = verbContext;
  const parser = yargs(argv)
    .scriptName(`authwrap ${verb}`)
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .option("classifiers", {
      type: "string",
      array: true,
      describe: "extra rule file or folder (repeatable)",
    })
    .fail((message, error) => {
      throw (
        error ??
        new AuthwrapError(
          "USAGE_ERROR",
          `${message}; see authwrap ${verb} --help`,
        )
      );
    })
    .middleware((args) => {
      // --classifiers may come before or after the verb.
      const extra = (args.classifiers as string[] | undefined) ?? [];
      context = {
        ...context,
        sources: {
          ...context.sources,
          extraPaths: [...context.sources.extraPaths, ...extra],
        },
      };
    });
  if (verb === "classify") {
    const args = await parser
      .usage(
        "authwrap classify [options]\n\nClassifies captured output without running anything and prints the envelope authwrap would emit.\nExits with the code authwrap would exit with.",
      )
      .option("tool", { type: "string", describe: "rule set to use" })
      .option("command", {
        type: "string",
        describe: "command name the output came from (chooses the rule set)",
      })
      .option("exit-code", {
        type: "number",
        default: 1,
        describe: "the command's exit code",
      })
      .option("stdout", {
        type: "string",
        describe: "file holding the command's stdout (- for stdin)",
      })
      .option("stderr", {
        type: "string",
        describe: "file holding the command's stderr (- for stdin)",
      })
      .option("exit-codes", {
        type: "string",
        choices: EXIT_CODE_PROFILES,
        default: context.env.AUTHWRAP_EXIT_CODES || "default",
        describe: "exit-code profile (env AUTHWRAP_EXIT_CODES)",
      })
      .parseAsync();
    if (args.help) return 0;
    const { classifyCaptured } = await import("./classify.js");
    return classifyCaptured(
      {
        tool: args.tool,
        command: args.command,
        exitCode: args["exit-code"],
        stdoutPath: args.stdout,
        stderrPath: args.stderr,
        exitCodes: args["exit-codes"] as ExitCodeProfile,
      },
      context,
    );
  }
  if (verb === "rules") {
    const args = await parser
      .usage("authwrap rules <list|validate|test> [PATH...]")
      .command("list", "list the loaded rules with their source file")
      .command(
        "validate [paths..]",
        "validate rule files (default: all loaded ones) with clear errors",
      )
      .command(
        "test [paths..]",
        "run the examples embedded in rule files (default: all loaded ones)",
      )
      .option("json", { type: "boolean", describe: "print JSON" })
      .demandCommand(1, "name a subcommand: list, validate or test")
      .parseAsync();
    if (args.help) return 0;
    const { runRulesVerb } = await import("./rules.js");
    return runRulesVerb(
      String(args._[0]),
      (args.paths as string[] | undefined) ?? [],
      Boolean(args.json),
      context,
    );
  }
  if (verb === "mcp") {
    const args = await parser
      .usage(
        "authwrap mcp\n\nServes the run_cli tool over stdio (Model Context Protocol). Each call runs\n`authwrap --json -- <argv>` with this server's environment (AUTHWRAP_* settings apply).",
      )
      .parseAsync();
    if (args.help) return 0;
    const { serveMcp } = await import("../mcp/server.js");
    const { packageVersion } = await import("./help.js");
    if (!context.stdin)
      throw new AuthwrapError("USAGE_ERROR", "authwrap mcp needs stdin");
    // Each call is its own authwrap process: --classifiers reach it as absolute paths in the env.
    const extra = context.sources.extraPaths.map((path) => resolve(path));
    return serveMcp({
      env: extra.length
        ? { ...context.env, AUTHWRAP_CLASSIFIERS: extra.join(":") }
        : context.env,
      version: packageVersion(),
      stdin: context.stdin,
      stdout: context.stdout,
    });
  }
  if (verb === "status") {
    const args = await parser
      .usage(
        "authwrap status [TOOL...] [--min-ttl 15m] [--json]\n\nFor each tool with declared credential sources: the credential it would use (never its value),\nwhen it expires, what refreshes it, whether that needs a person. With --min-ttl: exit 10 when one\nwill not last that long, 8 when a tool has none.",
      )
      .command("$0 [tools..]", false)
      .option("min-ttl", { type: "string", describe: "e.g. 90s, 15m, 1h" })
      .option("json", { type: "boolean", describe: "print one JSON envelope" })
      .option("verbose", {
        type: "boolean",
        alias: "v",
        describe: "say where each probe looked",
      })
      .parseAsync();
    if (args.help) return 0;
    const { parseDuration } = await import("../cli.js");
    const ttl = args["min-ttl"] as string | undefined;
    const minTtlMs = ttl === undefined ? undefined : parseDuration(ttl);
    if (ttl !== undefined && minTtlMs === undefined)
      throw new AuthwrapError(
        "USAGE_ERROR",
        `--min-ttl: "${ttl}" is not a duration; give e.g. 90s, 15m, 1h`,
      );
    const { showStatus } = await import("./status.js");
    return showStatus(
      {
        tools: (args.tools as string[] | undefined) ?? [],
        minTtlMs,
        json: Boolean(args.json) || context.json === true,
        verbose: Boolean(args.verbose),
      },
      context,
    );
  }
  if (verb === "demo") {
    const args = await parser
      .usage(
        "authwrap demo\n\nRuns the built-in demo: a demo CLI whose token expires, re-authenticated once; then a denial.",
      )
      .parseAsync();
    if (args.help) return 0;
    const { runDemo } = await import("./demo.js");
    return runDemo(context);
  }
  if (verb === "trust") {
    const args = await parser
      .usage(
        "authwrap trust [PATH...]\n\nLets the re-auth commands in project rule files (.authwrap/classifiers) run. Trust is pinned to\nthe file content: after any change the file must be trusted again. Default: every project rule file.",
      )
      .command("$0 [paths..]", false)
      .parseAsync();
    if (args.help) return 0;
    const { trustRuleFiles } = await import("./trust.js");
    return trustRuleFiles((args.paths as string[] | undefined) ?? [], context);
  }
  const args = await parser
    .usage(
      "authwrap schema <envelope|classifier|config|exit-codes>\n\nPrints the JSON Schema of the envelope, of a classifier rule file or of the config file, or every\nerror.code with its exit code.",
    )
    .command("envelope", "the JSON Schema of the envelope")
    .command("classifier", "the JSON Schema of a classifier rule file")
    .command("config", "the JSON Schema of the config file")
    .command(
      "exit-codes",
      "every error.code, its exit code in each profile, what it means",
    )
    .demandCommand(
      1,
      "name a schema: envelope, classifier, config or exit-codes",
    )
    .parseAsync();
  if (args.help) return 0;
  const { printSchema } = await import("./schema.js");
  return printSchema(String(args._[0]), context.stdout);
}
