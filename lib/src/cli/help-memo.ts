/**
 * Help text is a pure function of the plugin, the words asking for it and the width it is wrapped
 * to: it reads neither the environment, the clock nor the cluster. The release binary renders it
 * at build time for the widths most runs use and ships the texts beside the code; a run that asks
 * for help at one of those widths prints the text instead of building the parser and wrapping it
 * again (two thirds of `--help`'s time after start-up, and the JIT memory of the text wrapping).
 * Any other width, or any other word on the line, goes through the parser as before.
 */
import type { PluginSpec } from "./app.js";

/** The width help is wrapped to: the terminal's, at most 120; 100 when not a terminal. */
export function helpWidth(columns: number | undefined): number {
  return Math.min(120, columns ?? 100);
}

/** Not a terminal (pipes, scripts, `| less`), any terminal at least 120 wide, and the classic 80. */
export const MEMO_WIDTHS: readonly number[] = [80, 100, 120];

/** The text kept for a memoKey, or undefined when none was. */
export type HelpMemo = (key: string) => string | undefined;

const HELP_FLAGS = new Set(["--help", "-h"]);

/**
 * The help request argv makes, or undefined when it asks for anything more: "" for the plugin's
 * help (no words, `--help`, `-h`), a command's name for that command's (`expiry --help`).
 */
export function helpRequest(spec: PluginSpec, argv: readonly string[]): string | undefined {
  if (argv.length === 0) return "";
  if (argv.length === 1) return HELP_FLAGS.has(argv[0] as string) ? "" : undefined;
  if (argv.length !== 2 || !HELP_FLAGS.has(argv[1] as string)) return undefined;
  const name = argv[0] as string;
  return spec.commands.some((c) => c.command.split(" ")[0] === name) ? name : undefined;
}

/** Every help request a plugin answers: its own, and each command's. */
export function helpRequests(spec: PluginSpec): string[] {
  return ["", ...spec.commands.map((c) => c.command.split(" ")[0] as string)];
}

export function memoKey(request: string, width: number): string {
  return `${request}@${width}`;
}
