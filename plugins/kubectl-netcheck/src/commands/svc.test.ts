import { runPlugin } from "@kubemend/lib/cli/app";
import { bufferStreams } from "@kubemend/lib/cli/io";
import { describe, expect, it } from "vitest";
import { svcCommand, svcOptions, validateSvc } from "./svc.js";

const plugin = { name: "netcheck", version: "0", summary: "s", commands: [svcCommand] };
const run = async (...args: string[]) => {
  const io = bufferStreams();
  // No kubeconfig anywhere: a command that connected first would say so instead.
  const code = await runPlugin(plugin, args, {
    io,
    clock: { now: () => new Date(0) },
    env: { KUBECONFIG: "/nonexistent/kubeconfig" },
  });
  return { code, stderr: io.stderr() };
};

describe("netcheck svc options", () => {
  const kube = { kube: { allNamespaces: false } as never };

  it("reads the flags once into one typed object", () => {
    expect(
      svcOptions(
        {
          name: "web",
          port: 8080,
          "probe-pod": true,
          "probe-image": "b:1",
          "probe-deadline": "2m",
          "fail-on": "warning",
        },
        kube,
      ),
    ).toEqual({
      name: "web",
      port: "8080",
      probe: false,
      probePod: { image: "b:1", deadlineSeconds: 120 },
      failOn: "warning",
      allNamespaces: false,
    });
    expect(() => validateSvc(svcOptions({}, kube))).toThrow("name the Service to check");
    expect(() =>
      validateSvc(svcOptions({ name: "web" }, { kube: { allNamespaces: true } as never })),
    ).toThrow("svc checks one Service: use -n NAMESPACE, not -A");
  });

  it("refuses a bad flag value with exit 2 before it tries to connect", async () => {
    for (const args of [
      ["svc", "web", "--fail-on", "sometimes"],
      ["svc", "web", "--probe-pod", "--probe-deadline", "2h"],
      ["svc", "--fail-on", "warning"],
    ]) {
      const r = await run(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.split("\n")[0]).toMatch(
        /^error: (unknown severity|invalid --probe-deadline|Not enough non-option arguments)/,
      );
    }
    // With good flags it gets as far as the connection, which finds no kubeconfig.
    expect((await run("svc", "web")).stderr).toMatch(/^error: no kubeconfig found/);
  });
});
