// Command lines of the Kubernetes components, read the way Go's pflag reads them.

/** `--flag=value` and `--flag value` forms, last one wins; a flag with no value is "true". */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !(argv[i + 1] as string).startsWith("-"))
      flags.set(arg.slice(2), argv[++i] as string);
    else flags.set(arg.slice(2), "true");
  }
  return flags;
}

/** A comma-separated flag value as a list, blanks dropped. */
export function listFlag(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * etcd's effective settings: every ETCD_FOO_BAR of its environment as foo-bar, then its flags,
 * which win (etcd ignores an ETCD_* variable that a flag also sets).
 */
export function etcdSettings(
  flags: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string>> | undefined,
): Map<string, string> {
  const settings = new Map<string, string>();
  for (const [name, value] of Object.entries(env ?? {}))
    if (name.startsWith("ETCD_")) settings.set(name.slice(5).toLowerCase().replaceAll("_", "-"), value);
  for (const [name, value] of flags) settings.set(name, value);
  return settings;
}

/** Where a setting of etcd came from, as a person would look for it: the flag, or the variable. */
export function etcdSettingOrigin(flags: ReadonlyMap<string, string>, name: string): string {
  return flags.has(name) ? `--${name}` : `ETCD_${name.toUpperCase().replaceAll("-", "_")}`;
}
