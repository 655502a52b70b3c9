import type { Command, CommandContext, CommandSpec } from "@kubemend/lib/cli/app";
import type { ExitCode } from "@kubemend/lib/cli/exit-codes";
import { exitCodeForFindings, sortFindings } from "@kubemend/lib/findings/finding";
import { FINDING_LIST_KIND, renderFindings } from "@kubemend/lib/findings/render";
import { resourceNames } from "@kubemend/lib/kube/names";
import { renderStructured } from "@kubemend/lib/output/format";
import { checkBundles, checkCsrRequest } from "../checks/chain.js";
import { checkExpiry } from "../checks/expiry.js";
import { inspectTarget, parseTarget, type Target } from "../collect/target.js";
import { certificateJson, renderCsrDetails, renderDetails } from "../report/details.js";
import {
  clusterSourceContext,
  type ThresholdOptions,
  thresholdOptions,
  thresholds,
  withThresholdFlags,
} from "./shared.js";

/** certs inspect's flags, read once in complete(). */
interface InspectOptions {
  /** TARGET as given, for the report. */
  text: string;
  target: Target;
  limits: ThresholdOptions;
}

class InspectCommand implements Command {
  private options!: InspectOptions;

  constructor(
    private readonly args: Record<string, unknown>,
    private readonly ctx: CommandContext,
  ) {}

  complete(): void {
    const text = String(this.args.target);
    this.options = { text, target: parseTarget(text), limits: thresholdOptions(this.args) };
  }

  validate(): void {}

  async run(): Promise<ExitCode> {
    const { ctx } = this;
    const sources = clusterSourceContext(ctx, this.options.limits.tlsTimeoutMs, 1);
    const inspected = await inspectTarget(this.options.target, {
      client: sources.client,
      server: () => sources.config().server,
      timeoutMs: this.options.limits.tlsTimeoutMs,
    });
    const t = thresholds(this.options.limits, ctx);
    const findings = [...checkExpiry(inspected.certs, t), ...checkBundles(inspected.bundles)];
    findings.push(...checkCsrRequest(this.options.text.slice(4), inspected.csrProblem));
    if (ctx.output === "json" || ctx.output === "yaml")
      ctx.io.out.write(
        renderStructured(
          {
            apiVersion: FINDING_LIST_KIND.apiVersion,
            kind: "CertificateInspection",
            target: this.options.text,
            certificates: inspected.certs.map(certificateJson),
            ...(inspected.csr && { request: inspected.csr }),
            findings: sortFindings(findings),
          },
          ctx.output,
        ),
      );
    else {
      const parts = [];
      if (inspected.csr) parts.push(renderCsrDetails(inspected.csr));
      if (inspected.certs.length > 0) parts.push(renderDetails(inspected.certs, t.now));
      else parts.push("No certificates.\n");
      parts.push(
        renderFindings(findings, { format: ctx.output === "wide" ? "wide" : "table", color: ctx.color }),
      );
      ctx.io.out.write(parts.join("\n"));
    }
    return exitCodeForFindings(findings, this.options.limits.failOn);
  }
}

export const inspectCommand: CommandSpec = {
  command: "inspect <target>",
  completeArgs: async (ctx) => ({
    names: [
      "apiserver",
      ...(await resourceNames(ctx, { group: "", version: "v1", resource: "nodes" }, false)).map(
        (n) => `node/${n}`,
      ),
    ],
  }),
  describe:
    "Every detail of the certificates at TARGET (secret/NS/NAME, file:PATH, HOST:PORT, node/NAME, csr/NAME, apiserver), and what is wrong with the chain",
  builder: (y) => withThresholdFlags(y).positional("target", { type: "string", describe: "What to inspect" }),
  examples: [
    ["kubectl certs inspect apiserver", "the chain the API server presents"],
    ["kubectl certs inspect secret/ingress/web-tls", "tls.crt, ca.crt, and whether tls.key matches"],
    ["kubectl certs inspect file:/etc/kubernetes/pki/apiserver.crt", "a file on this machine"],
  ],
  create: (args, ctx) => new InspectCommand(args, ctx),
};
