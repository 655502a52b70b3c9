export type ColorMode = "auto" | "always" | "never";

/**
 * Whether to colour stdout. An explicit --color wins; in auto mode NO_COLOR (any non-empty value,
 * per no-color.org), TERM=dumb and a stdout that is not a terminal all turn colour off.
 */
export function colorEnabled(mode: ColorMode, env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return isTTY === true;
}

export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { red: plain, yellow: plain, green: plain, dim: plain, bold: plain };
  return { red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}
