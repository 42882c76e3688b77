// Parses a verb's own arguments with yargs and runs it. Loaded only when a verb is used.
import type { Writable } from "node:stream";
import yargs from "yargs";
import { AuthwrapError } from "../errors.js";
import type { Redactor } from "../output/redact.js";
import type { RuleSources } from "../rules/load.js";
import type { VerbName } from "../cli.js";
import type { ReauthContext } from "../reauth/command.js";

export interface VerbContext {
  sources: RuleSources;
  stateDir: string;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  redact: Redactor;
  /** For `config`: where a project's config is looked for, and who runs (the timeouts' default). */
  cwd?: string;
  reauthContext?: ReauthContext;
}

export async function runVerb(
  verb: VerbName,
  argv: string[],
  verbContext: VerbContext,
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
      "authwrap schema <envelope|classifier|config>\n\nPrints the JSON Schema of the envelope, of a classifier rule file or of the config file.",
    )
    .command("envelope", "the JSON Schema of the envelope")
    .command("classifier", "the JSON Schema of a classifier rule file")
    .command("config", "the JSON Schema of the config file")
    .demandCommand(1, "name a schema: envelope, classifier or config")
    .parseAsync();
  if (args.help) return 0;
  const { printSchema } = await import("./schema.js");
  return printSchema(String(args._[0]), context.stdout);
}
