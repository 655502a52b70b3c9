import { describe, expect, it } from "vitest";
import { approveServingOptions, validateApproveServing } from "./approve-serving.js";

const ctx = { env: {}, output: "table" };
const options = (args: Record<string, unknown>, over: Partial<typeof ctx> = {}) =>
  approveServingOptions(
    { interval: "5s", "leader-elect-id": "kubemend-csr-approver", ...args },
    { ...ctx, ...over },
  );

describe("approve-serving options", () => {
  it("reads every flag once into one typed object, with the environment's lease namespace", () => {
    expect(
      options(
        {
          all: true,
          watch: true,
          "leader-elect": true,
          "include-client": true,
          "dry-run": "server",
          "deny-invalid": true,
          timeout: "2m",
          interval: "1s",
          "allowed-cidrs": "10.0.0.0/8",
        },
        { env: { POD_NAMESPACE: "ops" } as never },
      ),
    ).toEqual({
      names: [],
      all: true,
      dryRun: "server",
      settings: { limits: { allowedCidrs: ["10.0.0.0/8"] }, serviceCidrs: undefined },
      denyInvalid: true,
      wait: false,
      timeoutMs: 120_000,
      watch: true,
      intervalMs: 1000,
      includeClient: true,
      leaderElect: true,
      lease: { namespace: "ops", name: "kubemend-csr-approver" },
      output: "table",
    });
    expect(options({ names: ["a"], "leader-elect-namespace": "x" }).lease.namespace).toBe("x");
    expect(options({ names: ["a"] }).lease.namespace).toBe("kubemend-system");
  });

  it.each([
    [{ all: true, names: ["a"] }, {}, "name CSRs or use --all, not both"],
    [{}, {}, "no CSRs named"],
    [{ names: ["a"], watch: true }, {}, "--watch works on every pending kubelet serving CSR"],
    [{ all: true, watch: true }, { output: "json" }, "--watch prints one line per outcome"],
    [{ all: true, "leader-elect": true }, {}, "--leader-elect needs --watch"],
    [{ all: true, "include-client": true }, {}, "--include-client works with --watch"],
  ])("refuses %j %j: %s", (args, over, message) => {
    expect(() => validateApproveServing(options(args, over))).toThrow(message);
  });

  it("refuses a bad value before connecting, naming the flag", () => {
    expect(() => options({ all: true, "dry-run": "maybe" })).toThrow(/dry-run/);
    expect(() => options({ all: true, "max-expiration": "1m" })).toThrow('invalid --max-expiration "1m"');
  });
});
