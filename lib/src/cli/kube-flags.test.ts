import { describe, expect, it } from "vitest";
import yargs from "yargs";
import { kubeFlagsFrom, withKubeFlags } from "./kube-flags.js";

async function parse(argv: string[]) {
  const args = await withKubeFlags(yargs(argv))
    .parserConfiguration({ "camel-case-expansion": false, "boolean-negation": false })
    .strict()
    .exitProcess(false)
    .fail((message: string) => {
      throw new Error(message);
    })
    .parseAsync();
  return kubeFlagsFrom(args as Record<string, unknown>);
}

describe("withKubeFlags + kubeFlagsFrom", () => {
  it("fills kubectl's defaults", async () => {
    expect(await parse([])).toEqual({
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

  it("reads the short forms -n, -A and -s", async () => {
    const flags = await parse(["-n", "kube-system", "-A", "-s", "https://h:6443"]);
    expect(flags.namespace).toBe("kube-system");
    expect(flags.allNamespaces).toBe(true);
    expect(flags.server).toBe("https://h:6443");
  });

  it("reads --flag=value forms", async () => {
    const flags = await parse(["--context=prod", "--request-timeout=30s", "--as=jane", "--as-group=devs"]);
    expect(flags.context).toBe("prod");
    expect(flags.requestTimeout).toBe("30s");
    expect(flags.as).toBe("jane");
    expect(flags.asGroup).toEqual(["devs"]);
  });

  it("keeps a numeric-looking value a string", async () => {
    const flags = await parse(["--request-timeout", "30", "--token", "12345", "-n", "007"]);
    expect(flags.requestTimeout).toBe("30");
    expect(flags.token).toBe("12345");
    expect(flags.namespace).toBe("007");
  });

  it("rejects an unknown flag", async () => {
    await expect(parse(["--kube-config", "x"])).rejects.toThrow(/Unknown argument/);
  });
});

describe("kubeFlagsFrom", () => {
  it("ignores values of the wrong type", () => {
    expect(
      kubeFlagsFrom({
        namespace: 3,
        "all-namespaces": "true",
        "as-group": "g",
        "insecure-skip-tls-verify": 1,
      }),
    ).toMatchObject({
      namespace: undefined,
      allNamespaces: false,
      asGroup: [],
      insecureSkipTlsVerify: false,
    });
  });
});
