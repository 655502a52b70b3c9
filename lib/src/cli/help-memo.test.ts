import { describe, expect, it } from "vitest";
import type { CommandSpec, PluginSpec } from "./app.js";
import { runPlugin } from "./app.js";
import { ExitCode } from "./exit-codes.js";
import { helpRequest, helpRequests, helpWidth, MEMO_WIDTHS, memoKey } from "./help-memo.js";
import { renderHelpMemo } from "./help-render.js";
import { bufferStreams } from "./io.js";

function command(name: string, extra: Partial<CommandSpec> = {}): CommandSpec {
  return {
    command: name,
    describe: `The ${name.split(" ")[0]} command, described at some length so that the text wraps at a narrow width`,
    builder: (y) => y.option("since", { type: "string", describe: "Only what changed since then" }),
    examples: [[`kubectl test ${name.split(" ")[0]}`, "Runs it"]],
    create: () => {
      throw new Error("a help request must never create a command");
    },
    ...extra,
  };
}

const spec: PluginSpec = {
  name: "test",
  version: "1.2.3",
  summary: "Tests help that is rendered ahead of time",
  commands: [command("expiry"), command("inspect <target>")],
};

async function run(
  argv: string[],
  options: { columns?: number; memo?: (key: string) => string | undefined } = {},
) {
  const io = bufferStreams();
  if (options.columns !== undefined) (io.out as { columns?: number }).columns = options.columns;
  const code = await runPlugin(spec, argv, {
    io,
    clock: { now: () => new Date() },
    env: {},
    helpMemo: options.memo,
  });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("helpRequest", () => {
  it("names the plugin's help and each command's, and nothing else", () => {
    expect(helpRequest(spec, [])).toBe("");
    expect(helpRequest(spec, ["--help"])).toBe("");
    expect(helpRequest(spec, ["-h"])).toBe("");
    expect(helpRequest(spec, ["expiry", "--help"])).toBe("expiry");
    expect(helpRequest(spec, ["inspect", "-h"])).toBe("inspect");
    for (const argv of [
      ["expiry"],
      ["--version"],
      ["help"],
      ["--help", "expiry"],
      ["nosuch", "--help"],
      ["expiry", "--help", "-o", "json"],
      ["-o", "json", "--help"],
      ["expiry", "--help=false"],
      ["inspect <target>", "--help"],
      ["__complete", "--help"],
    ])
      expect(helpRequest(spec, argv), argv.join(" ")).toBeUndefined();
  });

  it("lists the plugin's help first, then each command's by name", () => {
    expect(helpRequests(spec)).toEqual(["", "expiry", "inspect"]);
  });
});

describe("helpWidth", () => {
  it("wraps to the terminal, at most 120 wide, and to 100 when not a terminal", () => {
    expect(helpWidth(undefined)).toBe(100);
    expect(helpWidth(50)).toBe(50);
    expect(helpWidth(300)).toBe(120);
  });
});

describe("renderHelpMemo", () => {
  it("keeps, for each request and width, exactly what the parser prints for it", async () => {
    const kept = await renderHelpMemo(spec);
    expect([...kept.keys()].sort()).toEqual(
      MEMO_WIDTHS.flatMap((w) => helpRequests(spec).map((r) => memoKey(r, w))).sort(),
    );
    for (const width of MEMO_WIDTHS) {
      const plugin = await run(["--help"], { columns: width });
      expect(kept.get(memoKey("", width))).toBe(plugin.stdout);
      expect((await run([], { columns: width })).stdout).toBe(plugin.stdout);
      expect((await run(["-h"], { columns: width })).stdout).toBe(plugin.stdout);
      for (const name of ["expiry", "inspect"])
        expect(kept.get(memoKey(name, width))).toBe((await run([name, "--help"], { columns: width })).stdout);
    }
    // The widths give different texts: a width's text is not another's.
    expect(kept.get(memoKey("", 80))).not.toBe(kept.get(memoKey("", 120)));
  });
});

describe("runPlugin with a help memo", () => {
  it("prints the kept text for a help request at its width, without parsing", async () => {
    const asked: string[] = [];
    const memo = (key: string) => {
      asked.push(key);
      return `kept ${key}\n`;
    };
    expect(await run(["expiry", "--help"], { memo })).toEqual({
      code: ExitCode.OK,
      stdout: "kept expiry@100\n",
      stderr: "",
    });
    expect((await run(["-h"], { columns: 200, memo })).stdout).toBe("kept @120\n");
    expect((await run([], { columns: 80, memo })).stdout).toBe("kept @80\n");
    expect(asked).toEqual(["expiry@100", "@120", "@80"]);
  });

  it("renders help as before at a width with no kept text", async () => {
    const memo = (key: string) => (key === "@100" ? "kept\n" : undefined);
    const plain = await run(["--help"], { columns: 90 });
    expect(await run(["--help"], { columns: 90, memo })).toEqual(plain);
    expect(plain.stdout).toContain("Tests help that is rendered ahead of time");
  });

  it("never looks anything else up", async () => {
    const memo = (key: string): string => {
      throw new Error(`looked up ${key}`);
    };
    expect((await run(["--version"], { memo })).stdout).toBe("1.2.3\n");
    const unknown = await run(["nosuch", "--help"], { memo });
    expect(unknown.stderr).not.toContain("looked up");
    const complete = await run(["__complete", ""], { memo });
    expect(complete.stdout).toContain("expiry");
  });
});
