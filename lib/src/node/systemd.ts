// systemd unit files and EnvironmentFiles, as far as a component's command line and settings go.

export interface ServiceUnit {
  /** The program and its arguments from ExecStart, line continuations joined, quotes removed. */
  execStart: string[];
  /** EnvironmentFile= entries in order; "-" makes a file optional. */
  environmentFiles: { path: string; optional: boolean }[];
  /** Environment= assignments. */
  environment: Record<string, string>;
}

/** Splits a command line as systemd does: whitespace, single and double quotes, backslash escapes. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length) word += text[++i] as string;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "\\" && i + 1 < text.length) {
      word = (word ?? "") + (text[++i] as string);
    } else word = (word ?? "") + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The [Service] settings of a unit file that say how its program runs. */
export function parseUnit(text: string): ServiceUnit {
  const unit: ServiceUnit = { execStart: [], environmentFiles: [], environment: {} };
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  let section = "";
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    if (section !== "Service") continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "ExecStart") {
      // Prefixes such as "-" or "@" change how systemd runs it, not what runs.
      const argv = splitCommandLine(value.replace(/^[-@:+!]+/, ""));
      if (argv.length > 0) unit.execStart = argv;
    } else if (key === "EnvironmentFile") {
      if (value === "") unit.environmentFiles = [];
      else
        unit.environmentFiles.push(
          value.startsWith("-") ? { path: value.slice(1), optional: true } : { path: value, optional: false },
        );
    } else if (key === "Environment") {
      for (const assignment of splitCommandLine(value)) {
        const at = assignment.indexOf("=");
        if (at > 0) unit.environment[assignment.slice(0, at)] = assignment.slice(at + 1);
      }
    }
  }
  return unit;
}

/** KEY=value lines, with optional quotes and `#` comments, as systemd reads an EnvironmentFile. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.replace(/\\\r?\n/g, "").split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = (m[2] as string).trim();
    const quoted = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(value);
    if (quoted) value = quoted[1] !== undefined ? quoted[1].replace(/\\(.)/g, "$1") : (quoted[2] as string);
    else value = value.replace(/\s+#.*$/, "");
    env[m[1] as string] = value;
  }
  return env;
}
