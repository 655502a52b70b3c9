import yargs, { type Argv } from "yargs";
import { type ColorMode, colorEnabled } from "../output/color.js";
import { COMMON_OUTPUT_FORMATS, validateOutputFormat } from "../output/format.js";
import { CommandError, exitCodeOf, formatError, UsageError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { type HelpMemo, helpRequest, helpWidth, memoKey } from "./help-memo.js";
import type { Clock, IOStreams } from "./io.js";
import { type KubeFlags, kubeFlagsFrom, withKubeFlags } from "./kube-flags.js";
import { type Interrupt, interruptOnSignals, noInterrupt } from "./signals.js";

/** What every command gets besides its own flags: streams, clock, environment and global flags. */
export interface CommandContext {
  io: IOStreams;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  kube: KubeFlags;
  output: string;
  color: boolean;
  verbose: number;
  /** SIGINT and SIGTERM, for the whole run (see signals.ts). */
  interrupt: Interrupt;
}

/**
 * A command in kubectl's shape (k8s.io/kubectl/pkg/cmd): `complete` fills defaults from
 * kubeconfig and environment, `validate` rejects bad input with one clear line (UsageError), and
 * `run` does the work and returns the exit code.
 */
export interface Command {
  complete(): Promise<void> | void;
  validate(): void;
  run(): Promise<ExitCode>;
}

export interface CommandSpec {
  /** yargs command string, e.g. "expiry" or "inspect <target>". */
  command: string;
  describe: string;
  builder?: (y: Argv) => Argv;
  examples?: [string, string][];
  /** Output formats this command accepts with -o; the first is the default. */
  outputs?: readonly string[];
  create(args: Record<string, unknown>, ctx: CommandContext): Command;
  /**
   * Shell completion of the command's positional arguments (cobra's ValidArgsFunction): names
   * read from the cluster, or file extensions for the shell to complete files with.
   * `typed` holds the positionals already on the line.
   */
  completeArgs?(ctx: CommandContext, typed: readonly string[]): Promise<ArgCompletions>;
}

export type ArgCompletions = { names: readonly string[] } | { fileExtensions: readonly string[] };

export interface PluginSpec {
  /** The kubectl subcommand: "certs" for kubectl-certs. */
  name: string;
  version: string;
  summary: string;
  commands: readonly CommandSpec[];
}

export interface RunOptions {
  io: IOStreams;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** Default: one that never fires (main() passes the process's signals). */
  interrupt?: Interrupt;
  /** Help texts rendered ahead of time (the release binary's); see help-memo.ts. */
  helpMemo?: HelpMemo;
}

const OUTPUT_GROUP = "Output flags:";

function globalFlags(y: Argv) {
  return withKubeFlags(y)
    .option("output", { alias: "o", type: "string", group: OUTPUT_GROUP, describe: "Output format" })
    .option("color", {
      type: "string",
      choices: ["auto", "always", "never"],
      default: "auto",
      group: OUTPUT_GROUP,
      describe: "Colour output; auto honours NO_COLOR and colours only a terminal",
    })
    .option("verbose", {
      alias: "v",
      type: "number",
      default: 0,
      group: OUTPUT_GROUP,
      describe: "Log level; 1 or more prints stack traces on errors",
    });
}

/**
 * Parses argv with yargs (parsing only: yargs neither prints nor exits here) and runs the chosen
 * command through complete → validate → run. Returns the exit code; never throws.
 */
export async function runPlugin(
  spec: PluginSpec,
  argv: readonly string[],
  options: RunOptions,
): Promise<number> {
  const { io } = options;
  const program = `kubectl ${spec.name}`;
  const width = helpWidth((io.out as { columns?: number }).columns);
  const request = options.helpMemo && helpRequest(spec, argv);
  const kept = request !== undefined && options.helpMemo?.(memoKey(request, width));
  if (kept) {
    io.out.write(kept);
    return ExitCode.OK;
  }
  let verbose = 0;
  const completing = argv[0] === "__complete";
  const words = completing
    ? ["--get-yargs-completions", ...(argv.length > 1 ? argv.slice(1) : [""])]
    : [...argv];
  try {
    // A positional argument's candidates need no parser of all the commands: answered first.
    const positional = completing ? await completePositional(spec, argv.slice(1), options) : undefined;
    if (positional !== undefined) {
      io.out.write(positional);
      return ExitCode.OK;
    }
    let parser = globalFlags(
      yargs(words)
        .scriptName(program)
        .usage(`${spec.summary}\n\nUsage: ${program} <command> [flags]`)
        .version(spec.version)
        .help("help")
        .alias("help", "h")
        .strict(!completing)
        .env(false)
        .wrap(width)
        .exitProcess(false)
        .parserConfiguration({ "camel-case-expansion": false, "boolean-negation": false })
        .middleware(lastValueWins, true)
        .fail((message: string | undefined, err: Error | undefined) => {
          throw (
            err ??
            new UsageError(usageMessage(message ?? "invalid arguments", argv), `see '${program} --help'`)
          );
        }),
    );
    for (const command of spec.commands) {
      parser = parser.command(command.command, command.describe, (y) => {
        let built = command.builder ? command.builder(y) : y;
        for (const [example, text] of command.examples ?? []) built = built.example(example, text);
        return built;
      });
    }
    if (completing) {
      // yargs' own completion entry. Within a subcommand yargs prints the candidates with
      // console.log whatever the parse callback (and its getCompletion API stops at the top
      // level), so the candidates are collected from console.log for the duration.
      const lines: string[] = [];
      const log = console.log;
      console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
      try {
        await parser.completion("completion", false).parseAsync(words);
      } finally {
        console.log = log;
      }
      io.out.write(cobraCompletions(lines.flatMap((l) => l.split("\n")).filter((l) => l !== "")));
      return ExitCode.OK;
    }
    skipHelpCache(parser);
    let printed = "";
    const args = (await parser.parseAsync([...argv], {}, (_err, _argv, output) => {
      printed = output;
    })) as Record<string, unknown> & { _: (string | number)[] };
    verbose = Number(args.verbose) || 0;
    if (printed) {
      // --help or --version: yargs rendered it, we print it.
      io.out.write(`${printed}\n`);
      return ExitCode.OK;
    }
    const name = args._[0];
    const spec_ = spec.commands.find((c) => c.command.split(" ")[0] === name);
    if (!spec_) {
      if (name === undefined) {
        io.out.write(`${await parser.getHelp()}\n`);
        return ExitCode.OK;
      }
      throw new UsageError(`unknown command "${name}" for "${program}"`, `see '${program} --help'`);
    }
    const outputs = spec_.outputs ?? COMMON_OUTPUT_FORMATS;
    const output = typeof args.output === "string" ? args.output : (outputs[0] as string);
    validateOutputFormat(output, outputs);
    const ctx: CommandContext = {
      io,
      clock: options.clock,
      env: options.env,
      kube: kubeFlagsFrom(args),
      output,
      color: colorEnabled(args.color as ColorMode, options.env, io.out.isTTY),
      verbose,
      interrupt: options.interrupt ?? noInterrupt(),
    };
    const command = spec_.create(args, ctx);
    await command.complete();
    command.validate();
    return await command.run();
  } catch (err) {
    const usage = err instanceof Error && !(err instanceof CommandError) && err.name === "YError";
    const shown = usage ? new UsageError(err.message, `see '${program} --help'`) : err;
    io.err.write(`${formatError(shown, program, verbose > 0)}\n`);
    return exitCodeOf(shown);
  }
}

/**
 * yargs renders the whole help text after running a command's handler (ours are no-ops: commands
 * run after the parse), to have it at hand for a showHelp() from the handler, which kubemend never
 * calls. That was ~16 ms of every command, a third of `etcdsnap status` on a small snapshot.
 * --help itself renders the help on its own path.
 */
function skipHelpCache(parser: Argv): void {
  const internal = parser as unknown as {
    getInternalMethods?(): { getUsageInstance(): { cacheHelpMessage(): void } };
  };
  const usage = internal.getInternalMethods?.().getUsageInstance();
  if (usage) usage.cacheHelpMessage = () => {};
}

/**
 * A repeated flag that is not a list (`-n a -n b`) means its last value, as in kubectl (pflag).
 * yargs would make it an array, which every `typeof x === "string"` check then drops silently.
 */
function lastValueWins(args: Record<string, unknown>, y?: unknown): void {
  // yargs passes itself to middleware; getOptions() is untyped in @types/yargs. app.test.ts checks
  // that a command's own array options stay arrays.
  const lists = new Set<string>((y as { getOptions(): { array: string[] } }).getOptions().array);
  for (const [key, value] of Object.entries(args))
    if (key !== "_" && Array.isArray(value) && !lists.has(key)) args[key] = value[value.length - 1];
}

/**
 * `<plugin> __complete <words…> <current>` is cobra's completion protocol, which kubectl's plugin
 * completion (kubectl_complete-<plugin>) speaks: one candidate a line, `name<TAB>description`,
 * then `:<directive>`. yargs computes the candidates; under zsh it gives `name:description`.
 * Directive 4 (no file completion) when there are candidates, 0 (shell default: files) otherwise.
 */
export function cobraCompletions(completions: readonly string[]): string {
  const lines = completions.map((c) => {
    const at = c.search(/(?<!\\):/);
    const [name, text] = at < 0 ? [c, ""] : [c.slice(0, at).replaceAll("\\:", ":"), c.slice(at + 1)];
    // yargs offers one-letter aliases as --n; the flag is -n.
    const flag = /^--.$/.test(name) ? name.slice(1) : name;
    return text ? `${flag}\t${text}` : flag;
  });
  return `${[...lines, `:${lines.length > 0 ? 4 : 0}`].join("\n")}\n`;
}

/**
 * Cobra's lines for a positional argument of a command with completeArgs, or undefined where yargs
 * completes (subcommands, flags, a flag's value). Never fails: completion prints nothing on error.
 */
async function completePositional(
  spec: PluginSpec,
  words: readonly string[],
  options: RunOptions,
): Promise<string | undefined> {
  const current = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  const previous = before.at(-1);
  if (current.startsWith("-") || (previous?.startsWith("-") && !previous.includes("="))) return undefined;
  try {
    const args = (await globalFlags(
      yargs([...before])
        .strict(false)
        .help(false)
        .version(false)
        .exitProcess(false),
    )
      .fail(false)
      .parseAsync()) as Record<string, unknown> & { _: (string | number)[] };
    const [name, ...typed] = args._.map(String);
    const command = spec.commands.find((c) => c.command.split(" ")[0] === name);
    if (!command?.completeArgs) return undefined;
    const kube = kubeFlagsFrom(args);
    // A completion that hangs hangs the user's shell.
    if (kube.requestTimeout === "0") kube.requestTimeout = "5s";
    const ctx: CommandContext = {
      ...options,
      kube,
      output: "",
      color: false,
      verbose: 0,
      interrupt: options.interrupt ?? noInterrupt(),
    };
    const found = await command.completeArgs(ctx, typed);
    if ("fileExtensions" in found) return `${[...found.fileExtensions, ":8"].join("\n")}\n`;
    const names = found.names.filter((n) => n.startsWith(current));
    return `${[...names, ":4"].join("\n")}\n`;
  } catch {
    return ":4\n";
  }
}

/** yargs says "Unknown arguments: a, b"; kubectl says "unknown flag: --a" or "unknown command". */
function usageMessage(message: string, argv: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message);
  if (!unknown) return message;
  const names = (unknown[1] as string).split(", ");
  const flags = argv.filter(
    (arg) => arg.startsWith("-") && names.includes(arg.replace(/^-+/, "").split("=")[0] as string),
  );
  if (flags.length > 0) return `unknown flag: ${flags.map((f) => f.split("=")[0]).join(", ")}`;
  return `unknown command: ${names.join(", ")}`;
}

/** The entry point of a plugin executable. */
export async function main(spec: PluginSpec, helpMemo?: HelpMemo): Promise<void> {
  const { processStreams, systemClock } = await import("./io.js");
  const interrupt = interruptOnSignals();
  try {
    process.exitCode = await runPlugin(spec, process.argv.slice(2), {
      io: processStreams(),
      clock: systemClock,
      env: process.env,
      interrupt,
      helpMemo,
    });
  } finally {
    interrupt.dispose();
  }
}
