import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import type { CollectedApiServer } from "../collect/apiserver.js";
import { isPodReady, type Pod } from "../model.js";
import { endpointState } from "./endpoints.js";

const subject = { kind: "Service", namespace: "default", name: "kubernetes" };
const NEXT =
  "kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o wide   # the API servers' endpoint reconciler (--endpoint-reconciler-type, --advertise-address) writes them";

/** An API server as its static pod declares it: the address it advertises and its secure port. */
export interface ApiServerInstance {
  pod: string;
  address: string;
  port: number;
  ready: boolean;
}

export function apiServerInstance(pod: Pod): ApiServerInstance | undefined {
  const container = pod.spec.containers.find((c) => c.name === "kube-apiserver") ?? pod.spec.containers[0];
  const argv = [...(container?.command ?? []), ...(container?.args ?? [])];
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const annotated =
    pod.metadata.annotations?.["kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"];
  const address = flag("advertise-address") ?? annotated?.replace(/:\d+$/, "") ?? pod.status?.podIP;
  if (!address) return undefined;
  return {
    pod: pod.metadata.name,
    address,
    port: Number(flag("secure-port") ?? annotated?.match(/:(\d+)$/)?.[1] ?? 6443),
    ready: isPodReady(pod),
  };
}

/**
 * APISERVER_SVC_MISMATCH: the `kubernetes` Service's endpoints must be the running API servers
 * (S1: Calico dialled 10.233.0.1:443 and timed out). Without kube-apiserver static pods (a binary
 * install) there is nothing to compare against, and no finding.
 */
export function checkApiServerService(api: CollectedApiServer): Finding[] {
  if (!api.service)
    return [
      finding("APISERVER_SVC_MISMATCH", {
        case: "service-missing",
        subject,
        message:
          "the kubernetes Service in default is missing: in-cluster clients (CNI, controllers) cannot reach the API server",
        next: "restart kube-apiserver: it recreates the Service",
      }),
    ];
  const servers = api.pods.map(apiServerInstance).filter((s): s is ApiServerInstance => s !== undefined);
  if (servers.length === 0) return [];
  const endpoints = api.slices.flatMap((s) =>
    (s.endpoints ?? []).filter((e) => endpointState(e).ready).flatMap((e) => e.addresses),
  );
  const ports = [...new Set(api.slices.flatMap((s) => (s.ports ?? []).map((p) => p.port)))];
  const running = servers.filter((s) => s.ready);
  const dead = endpoints.filter((a) => !running.some((s) => s.address === a));
  const unlisted = running.filter((s) => !endpoints.includes(s.address));
  const wrongPort = ports.filter((p) => p !== undefined && !running.some((s) => s.port === p));
  const evidence = {
    endpoints,
    endpointPorts: ports,
    apiServers: servers,
    clusterIP: api.service.spec.clusterIP,
  };
  const out: Finding[] = [];
  if (endpoints.length === 0)
    out.push(
      finding("APISERVER_SVC_MISMATCH", {
        case: "no-ready-endpoint",
        subject,
        message: `the kubernetes Service (${api.service.spec.clusterIP}) has no ready endpoint, while ${running.length} API servers run: in-cluster clients time out`,
        evidence,
        next: NEXT,
      }),
    );
  else if (dead.length > 0)
    out.push(
      finding("APISERVER_SVC_MISMATCH", {
        case: "dead-endpoint",
        subject,
        message: `the kubernetes Service (${api.service.spec.clusterIP}) sends traffic to ${dead.join(", ")}, where no running API server advertises itself (running: ${running.map((s) => s.address).join(", ") || "none"}): in-cluster clients such as the CNI time out`,
        evidence: { ...evidence, dead },
        next: NEXT,
      }),
    );
  if (wrongPort.length > 0)
    out.push(
      finding("APISERVER_SVC_MISMATCH", {
        case: "wrong-port",
        subject,
        message: `the kubernetes Service's endpoints use port ${wrongPort.join(", ")}, but the API servers listen on ${[...new Set(running.map((s) => s.port))].join(", ")}`,
        evidence,
        next: NEXT,
      }),
    );
  if (unlisted.length > 0)
    out.push(
      finding("APISERVER_SVC_MISMATCH", {
        case: "server-unlisted",
        subject,
        message: `running API servers missing from the kubernetes Service's endpoints: ${unlisted.map((s) => `${s.address} (${s.pod})`).join(", ")}`,
        evidence: { ...evidence, unlisted: unlisted.map((s) => s.address) },
        next: NEXT,
      }),
    );
  return out;
}
