import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "../kube/connect.js";
import { type Command, type CommandContext, type CommandSpec, type PluginSpec, runPlugin } from "./app.js";
import { UsageError } from "./errors.js";
import { ExitCode } from "./exit-codes.js";
import { bufferStreams, type Clock } from "./io.js";

const clock: Clock = { now: () => new Date("2030-01-01T00:00:00Z") };

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "kubemend-app-"));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Recorded {
  calls: string[];
  ctx?: CommandContext;
  args?: Record<string, unknown>;
}

/** A command whose steps record that they ran and do what `behaviour` says. */
function recordingSpec(
  recorded: Recorded,
  behaviour: Partial<{
    complete: () => Promise<void> | void;
    validate: () => void;
    run: () => Promise<ExitCode>;
  }> = {},
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return {
    command: "check",
    describe: "Check things",
    create(args, ctx): Command {
      recorded.args = args;
      recorded.ctx = ctx;
      return {
        async complete() {
          recorded.calls.push("complete");
          await behaviour.complete?.();
        },
        validate() {
          recorded.calls.push("validate");
          behaviour.validate?.();
        },
        async run() {
          recorded.calls.push("run");
          return behaviour.run ? behaviour.run() : ExitCode.OK;
        },
      };
    },
    ...extra,
  };
}

function plugin(...commands: CommandSpec[]): PluginSpec {
  return { name: "test", version: "9.8.7", summary: "Tests the kubemend CLI frame", commands };
}

async function run(spec: PluginSpec, argv: string[], env: NodeJS.ProcessEnv = {}, tty = false) {
  const io = bufferStreams();
  if (tty) io.out.isTTY = true;
  const code = await runPlugin(spec, argv, { io, clock, env: { HOME: tmp, ...env } });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("error:"));
}

describe("runPlugin: help and version", () => {
  it("--help exits 0 and prints the summary and the kubectl flags", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Tests the kubemend CLI frame");
    expect(result.stdout).toContain("Usage: kubectl test <command> [flags]");
    expect(result.stdout).toContain("--kubeconfig");
    expect(result.stdout).toContain("--request-timeout");
    expect(result.stdout).toContain("check");
    expect(result.stderr).toBe("");
    expect(recorded.calls).toEqual([]);
  });

  it("-h is --help", async () => {
    const result = await run(plugin(recordingSpec({ calls: [] })), ["-h"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--kubeconfig");
  });

  it("--help after a command prints that command's help and does not run it", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["check", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Check things");
    expect(result.stdout).toContain("--kubeconfig");
    expect(recorded.calls).toEqual([]);
  });

  it("--version prints the version", async () => {
    const result = await run(plugin(recordingSpec({ calls: [] })), ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("9.8.7\n");
    expect(result.stderr).toBe("");
  });

  it("no command prints the help and exits 0", async () => {
    const result = await run(plugin(recordingSpec({ calls: [] })), []);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: kubectl test <command> [flags]");
  });
});

describe("runPlugin: usage errors", () => {
  it("an unknown flag exits 2 with one error line and a hint, no stack", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["check", "--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("error: unknown flag: --bogus\n  hint: see 'kubectl test --help'\n");
    expect(recorded.calls).toEqual([]);
  });

  it("an unknown flag with a value is named without its value", async () => {
    const result = await run(plugin(recordingSpec({ calls: [] })), ["check", "--bogus=1"]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual(["error: unknown flag: --bogus"]);
  });

  it("an unknown command exits 2", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["frobnicate"]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: unknown command.*frobnicate/);
    expect(result.stderr).toContain("hint: see 'kubectl test --help'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(recorded.calls).toEqual([]);
  });

  it("-o with a format the command does not offer exits 2 naming the allowed ones", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["check", "-o", "bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: unsupported output format "bogus"\n  hint: use -o with one of: table, wide, json, yaml\n',
    );
    expect(recorded.calls).toEqual([]);
  });

  it("a command's own output formats replace the common ones", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin(recordingSpec(recorded, {}, { outputs: ["table", "prometheus"] }));
    expect((await run(spec, ["check", "-o", "prometheus"])).code).toBe(0);
    expect(recorded.ctx?.output).toBe("prometheus");
    const rejected = await run(spec, ["check", "-o", "yaml"]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain("use -o with one of: table, prometheus");
  });

  it("--color with a bad value exits 2", async () => {
    const result = await run(plugin(recordingSpec({ calls: [] })), ["check", "--color=sometimes"]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("sometimes");
  });

  it("a missing positional argument exits 2", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin({ ...recordingSpec(recorded), command: "inspect <target>" });
    const result = await run(spec, ["inspect"]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(recorded.calls).toEqual([]);
  });
});

describe("runPlugin: the command's steps", () => {
  it("calls complete, validate and run in that order and returns run's exit code", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded, { run: async () => ExitCode.FINDINGS })), [
      "check",
    ]);
    expect(recorded.calls).toEqual(["complete", "validate", "run"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
  });

  it("passes positional arguments and the command's own flags", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin({
      ...recordingSpec(recorded),
      command: "inspect <target>",
      builder: (y) => y.option("fail-on", { type: "string", default: "critical" }),
    });
    const result = await run(spec, ["inspect", "apiserver", "--fail-on", "warning"]);
    expect(result.code).toBe(0);
    expect(recorded.args?.target).toBe("apiserver");
    expect(recorded.args?.["fail-on"]).toBe("warning");
  });

  it("a validate that throws a UsageError exits 2 and run is not called", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin(
      recordingSpec(recorded, {
        validate: () => {
          throw new UsageError("--days must be positive", "pass --days 30");
        },
      }),
    );
    const result = await run(spec, ["check"]);
    expect(result.code).toBe(2);
    expect(recorded.calls).toEqual(["complete", "validate"]);
    expect(result.stderr).toBe("error: --days must be positive\n  hint: pass --days 30\n");
  });

  it("a run that throws a plain Error exits 3 with the bug hint and no stack", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin(
      recordingSpec(recorded, {
        run: async () => {
          throw new Error("kaboom");
        },
      }),
    );
    const result = await run(spec, ["check"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      "error: kaboom\n  hint: this is a bug in kubectl test; rerun with -v=1 for the stack trace and report it\n",
    );
  });

  it("-v=1 adds the stack trace", async () => {
    const spec = plugin(
      recordingSpec(
        { calls: [] },
        {
          run: async () => {
            throw new Error("kaboom");
          },
        },
      ),
    );
    const result = await run(spec, ["check", "-v=1"]);
    expect(result.code).toBe(3);
    expect(errorLines(result.stderr)).toEqual(["error: kaboom"]);
    expect(result.stderr).toContain("Error: kaboom\n    at ");
    expect(result.stderr).toContain("app.test.ts");
  });

  it("a multi-line error message is printed on one line", async () => {
    const spec = plugin(
      recordingSpec(
        { calls: [] },
        {
          complete: () => {
            throw new UsageError("first\nsecond");
          },
        },
      ),
    );
    const result = await run(spec, ["check"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: first; second\n");
  });
});

describe("runPlugin: context", () => {
  it("defaults: table output, no colour off a terminal, verbose 0, the given clock and env", async () => {
    const recorded: Recorded = { calls: [] };
    await run(plugin(recordingSpec(recorded)), ["check"], { FOO: "bar" });
    const ctx = recorded.ctx as CommandContext;
    expect(ctx.output).toBe("table");
    expect(ctx.color).toBe(false);
    expect(ctx.verbose).toBe(0);
    expect(ctx.clock.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(ctx.env.FOO).toBe("bar");
    expect(ctx.kube).toEqual({
      kubeconfig: undefined,
      context: undefined,
      cluster: undefined,
      user: undefined,
      namespace: undefined,
      allNamespaces: false,
      server: undefined,
      token: undefined,
      as: undefined,
      asGroup: [],
      asUid: undefined,
      certificateAuthority: undefined,
      clientCertificate: undefined,
      clientKey: undefined,
      insecureSkipTlsVerify: false,
      tlsServerName: undefined,
      requestTimeout: "0",
    });
  });

  it.each([
    [["--color=auto"], { NO_COLOR: "1" }, true, false],
    [["--color=auto"], {}, true, true],
    [[], {}, true, true],
    [["--color=auto"], {}, false, false],
    [["--color=always"], { NO_COLOR: "1" }, false, true],
    [["--color=never"], {}, true, false],
    [["--color", "always"], { TERM: "dumb" }, false, true],
  ] as [string[], NodeJS.ProcessEnv, boolean, boolean][])(
    "%j with env %j, tty %s → color %s",
    async (flags, env, tty, color) => {
      const recorded: Recorded = { calls: [] };
      const result = await run(plugin(recordingSpec(recorded)), ["check", ...flags], env, tty);
      expect(result.code).toBe(0);
      expect(recorded.ctx?.color).toBe(color);
    },
  );

  it("passes the kubectl flags to ctx.kube", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), [
      "check",
      "-n",
      "foo",
      "--as",
      "jane",
      "--as-group",
      "a",
      "--as-group",
      "b",
      "--request-timeout=1s",
      "--context",
      "prod",
      "--kubeconfig",
      "/tmp/kc",
      "-A",
      "--insecure-skip-tls-verify",
      "-s",
      "https://x:6443",
      "--token",
      "t",
      "--tls-server-name",
      "kubernetes",
      "--cluster",
      "c",
      "--user",
      "u",
      "--as-uid",
      "42",
      "--certificate-authority",
      "/ca",
      "--client-certificate",
      "/crt",
      "--client-key",
      "/key",
      "-o",
      "json",
      "-v",
      "2",
    ]);
    expect(result.code).toBe(0);
    expect(recorded.ctx?.kube).toEqual({
      kubeconfig: "/tmp/kc",
      context: "prod",
      cluster: "c",
      user: "u",
      namespace: "foo",
      allNamespaces: true,
      server: "https://x:6443",
      token: "t",
      as: "jane",
      asGroup: ["a", "b"],
      asUid: "42",
      certificateAuthority: "/ca",
      clientCertificate: "/crt",
      clientKey: "/key",
      insecureSkipTlsVerify: true,
      tlsServerName: "kubernetes",
      requestTimeout: "1s",
    });
    expect(recorded.ctx?.output).toBe("json");
    expect(recorded.ctx?.verbose).toBe(2);
  });

  it("lets the last value of a repeated flag win, as kubectl does", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), [
      "check",
      "-n",
      "a",
      "-n",
      "b",
      "--request-timeout=5s",
      "--request-timeout=1s",
      "-o",
      "json",
      "-o",
      "yaml",
      "--color=never",
      "--color=always",
      "--as",
      "x",
      "--as-group",
      "g1",
      "--as-group",
      "g2",
    ]);
    expect(result.code).toBe(0);
    expect(recorded.ctx?.kube.namespace).toBe("b");
    expect(recorded.ctx?.kube.requestTimeout).toBe("1s");
    expect(recorded.ctx?.kube.asGroup).toEqual(["g1", "g2"]);
    expect(recorded.ctx?.output).toBe("yaml");
    expect(recorded.ctx?.color).toBe(true);
  });

  it("keeps a command's own list flags as lists", async () => {
    const recorded: Recorded = { calls: [] };
    const spec = plugin({
      ...recordingSpec(recorded),
      builder: (y) => y.option("check", { type: "string", array: true }).option("days", { type: "number" }),
    });
    const result = await run(spec, ["check", "--check", "a", "--check", "b", "--days", "3", "--days", "7"]);
    expect(result.code).toBe(0);
    expect(recorded.args?.check).toEqual(["a", "b"]);
    expect(recorded.args?.days).toBe(7);
  });

  it("accepts the global flags before the command, as kubectl does", async () => {
    const recorded: Recorded = { calls: [] };
    const result = await run(plugin(recordingSpec(recorded)), ["-n", "foo", "--namespace=bar", "check"]);
    expect(result.code).toBe(0);
    expect(recorded.ctx?.kube.namespace).toBe("bar");
  });
});

describe("runPlugin end to end, in process", () => {
  it("times out against a stalled API server with --request-timeout=1s: exit 3, one error line", async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const kubeconfig = path.join(tmp, "config");
      writeFileSync(
        kubeconfig,
        `current-context: stalled
clusters:
- name: stalled
  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}
users:
- name: stalled
  user: {token: t}
contexts:
- name: stalled
  context: {cluster: stalled, user: stalled}
`,
      );
      const spec: CommandSpec = {
        command: "version",
        describe: "Print the server version",
        create: (_args, ctx) => ({
          complete() {},
          validate() {},
          async run() {
            const client = await connect(ctx);
            ctx.io.out.write(`${JSON.stringify(await client.raw("/version"))}\n`);
            return ExitCode.OK;
          },
        }),
      };
      // Loaded before the clock starts: what is timed is the request, not the module loader.
      await import("@kubernetes/client-node/dist/config.js");
      const started = Date.now();
      const result = await run(plugin(spec), ["version", "--request-timeout=1s"], { KUBECONFIG: kubeconfig });
      const elapsed = Date.now() - started;
      expect(result.code).toBe(3);
      expect(result.stdout).toBe("");
      expect(errorLines(result.stderr)).toEqual([
        `error: no answer from the API server at http://127.0.0.1:${port} within 1s (get /version)`,
      ]);
      expect(result.stderr.split("\n").filter((l) => l !== "")).toHaveLength(2);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThanOrEqual(4000); // the 1 s timeout fired, not a hang; loose for a loaded CI machine
      expect(sockets.length).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("reports a bad --request-timeout as a usage error", async () => {
    const spec: CommandSpec = {
      command: "version",
      describe: "Print the server version",
      create: (_args, ctx) => ({
        complete() {},
        validate() {},
        async run() {
          await connect(ctx);
          return ExitCode.OK;
        },
      }),
    };
    const result = await run(plugin(spec), [
      "version",
      "--request-timeout=soon",
      "--server",
      "http://127.0.0.1:1",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: invalid --request-timeout "soon"\n  hint: use a duration such as 30s, 2m or 0 for none\n',
    );
  });
});
