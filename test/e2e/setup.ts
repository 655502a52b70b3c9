import { execFileSync } from "node:child_process";
import path from "node:path";
import { controlPlaneBin } from "../env/controlplane-bin.js";

/**
 * The e2e tests drive the plugins through kubectl built at the control plane's pinned version
 * (test/env/gobuild/kube/cmd/kubectl), not whatever kubectl the host has: they match its output.
 * plugins.test.ts also checks dispatch and completion with the host's kubectl.
 */
export default async function setup(): Promise<void> {
  const kubectl = path.join(await controlPlaneBin(), "kubectl");
  const version = execFileSync(kubectl, ["version", "--client", "-o", "json"], { encoding: "utf8" });
  process.env.KUBEMEND_KUBECTL = kubectl;
  console.log(
    `e2e: kubectl ${JSON.parse(version).clientVersion.gitVersion} (${kubectl}), the plugins from bin/`,
  );
}
