import type { CommandSpec } from "@kubemend/lib/cli/app";
import { UsageError } from "@kubemend/lib/cli/errors";
import { parseCidr } from "@kubemend/lib/net/cidr";
import { parseDuration } from "@kubemend/lib/output/duration";
import type { ReviewSettings } from "../collect/context.js";
import { anchoredRegex } from "../policy/limits.js";

export type Argv = Parameters<NonNullable<CommandSpec["builder"]>>[0];

const GROUP = "Policy flags:";

export function withPolicyFlags(y: Argv): Argv {
  return y
    .option("service-cidr", {
      type: "string",
      group: GROUP,
      describe: "Service CIDRs (comma-separated) no IP SAN may fall in; default: learned from the cluster",
    })
    .option("allowed-cidrs", {
      type: "string",
      group: GROUP,
      describe: "Only approve IP SANs inside these CIDRs (comma-separated)",
    })
    .option("dns-regex", {
      type: "string",
      group: GROUP,
      describe: "Only approve DNS SANs that match this regular expression as a whole",
    })
    .option("max-expiration", {
      type: "string",
      group: GROUP,
      describe: "Refuse CSRs that ask for a longer spec.expirationSeconds (e.g. 30d)",
    });
}

function cidrList(flag: string, value: unknown): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const cidrs = value
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const bad = cidrs.find((c) => !parseCidr(c) || !c.includes("/"));
  if (bad !== undefined || cidrs.length === 0)
    throw new UsageError(`invalid --${flag} "${bad ?? value}"`, "use CIDRs such as 10.96.0.0/12,fd00::/108");
  return cidrs;
}

/** Parses the policy flags; a bad value is a UsageError naming the flag. */
export function policySettings(args: Record<string, unknown>): ReviewSettings {
  const settings: ReviewSettings = {
    limits: { allowedCidrs: cidrList("allowed-cidrs", args["allowed-cidrs"]) ?? [] },
    serviceCidrs: cidrList("service-cidr", args["service-cidr"]),
  };
  const regex = args["dns-regex"];
  if (typeof regex === "string") {
    try {
      settings.limits.dnsRegex = anchoredRegex(regex);
    } catch (err) {
      throw new UsageError(
        `invalid --dns-regex: ${(err as Error).message}`,
        "use a JavaScript regular expression",
      );
    }
  }
  const max = args["max-expiration"];
  if (typeof max === "string") {
    const ms = parseDuration(max);
    if (ms === undefined || ms < 600_000)
      throw new UsageError(
        `invalid --max-expiration "${max}"`,
        "use a duration of at least 10m, such as 30d",
      );
    settings.limits.maxExpirationSeconds = Math.floor(ms / 1000);
  }
  return settings;
}
