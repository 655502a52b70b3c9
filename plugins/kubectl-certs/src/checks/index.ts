import type { Finding } from "@kubemend/lib/findings/finding";
import type { Collected } from "../model.js";
import { checkBundles } from "./chain.js";
import {
  checkApiServices,
  checkBootstrapRbac,
  checkBootstrapTokens,
  checkRootCaCopies,
} from "./cluster-objects.js";
import { checkDrift } from "./drift.js";
import { checkExpiry } from "./expiry.js";
import { checkKubeadmProfiles } from "./kubeadm-profile.js";
import { checkKubelets } from "./kubelet.js";
import { checkNodeRoles } from "./node-roles.js";
import type { Thresholds } from "./thresholds.js";

/** Every check over everything collected. */
export function runChecks(collected: Collected, t: Thresholds): Finding[] {
  return [
    ...checkExpiry(collected.certs, t),
    ...checkBundles(collected.bundles),
    ...checkKubeadmProfiles(collected.certs, new Set(collected.nodeFacts.flatMap((f) => f.dialed))),
    ...collected.nodeFacts.flatMap(checkNodeRoles),
    ...checkDrift(collected.certs),
    ...checkKubelets(collected.nodes, collected.clusterCas),
    ...checkApiServices(collected.apiServices),
    ...checkBootstrapTokens(collected.bootstrapTokens, t),
    ...checkBootstrapRbac(collected.bootstrapRbac, collected.bootstrapTokens),
    ...checkRootCaCopies(collected.rootCaCopies),
  ];
}
