import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedService } from "../collect/service.js";
import { checkAgents, checkNodes, unseenAgents } from "./agents.js";
import { checkApiServerService } from "./apiserver.js";
import { checkDns } from "./dns.js";
import { checkEndpoints } from "./endpoints.js";
import { checkPolicies } from "./policy.js";
import { checkTargetPorts } from "./ports.js";
import { checkSelector } from "./selection.js";
import { checkServiceObject, isHeadless } from "./service.js";

export interface SvcCheckOptions {
  /** --port: one Service port, by number or name. */
  port?: string;
}

/** Every check of `netcheck svc`, pure: collected data in, findings out. */
export function checkService(c: CollectedService, options: SvcCheckOptions = {}): Finding[] {
  const findings = [...checkServiceObject(c), ...checkDns(c.dns), ...checkApiServerService(c.apiServer)];
  const service = c.service;
  if (!service || service.spec.type === "ExternalName") return findings.concat(partial(c));
  const hosting = (node: string) => {
    const pods = c.pods.filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);
    return `hosts ${pods.join(", ")}`;
  };
  const nodes = [...c.nodes.keys()];
  findings.push(
    ...checkTargetPorts(c, options.port),
    ...checkSelector(c),
    ...checkEndpoints(c),
    ...checkNodes(c.nodes, "it hosts selected pods"),
    // kube-proxy programs ClusterIPs; a headless Service's clients dial the pods directly.
    ...checkAgents(
      isHeadless(service) ? c.agents.filter((a) => a.role !== "kube-proxy") : c.agents,
      nodes,
      [],
      hosting,
    ),
    ...unseenAgents(c.agents, isHeadless(service) ? ["cni"] : ["kube-proxy", "cni"]),
    ...checkPolicies(c, options.port),
    ...partial(c),
  );
  return findings;
}

function partial(c: CollectedService): Finding[] {
  if (c.forbidden.length === 0) return [];
  return [
    finding("NETCHECK_PARTIAL", {
      subject: { kind: "Service", namespace: c.namespace, name: c.name },
      message: `some layers were not checked because RBAC forbids: ${[...new Set(c.forbidden)].join("; ")}`,
      evidence: { forbidden: [...new Set(c.forbidden)] },
      next: "kubectl auth can-i --list",
    }),
  ];
}
