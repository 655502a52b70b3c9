import { IncompleteError } from "../cli/errors.js";
import { formatDuration } from "../output/duration.js";
import type { ResourceRef } from "./client.js";
import type { ResolvedKubeConfig } from "./kubeconfig.js";

/** One API call, described well enough to explain its failure in RBAC terms. */
export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  /** The RBAC verb: get, list, watch, create, update, patch, delete. */
  verb: string;
  ref?: ResourceRef;
  /** The answer is text (a pod's log, /livez), not a JSON object. */
  text?: boolean;
}

/**
 * A failed API call (exit 3), with the HTTP status and Status reason when the server answered, or
 * the network error code when it did not.
 */
export class KubeApiError extends IncompleteError {
  constructor(
    message: string,
    hint: string | undefined,
    readonly status?: number,
    readonly reason?: string,
    readonly networkCode?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, hint);
    this.name = "KubeApiError";
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

export function isForbidden(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 403;
}

/** "list secrets" / "update certificatesigningrequests/approval" / "get /version". */
export function describeAccess(req: ApiRequest): string {
  if (!req.ref) return `${req.verb} ${req.path}`;
  const resource = req.ref.subresource ? `${req.ref.resource}/${req.ref.subresource}` : req.ref.resource;
  const group = req.ref.group ? `.${req.ref.group}` : "";
  return `${req.verb} ${resource}${group}`;
}

function scope(ref: ResourceRef | undefined): string {
  if (!ref) return "";
  return ref.namespace ? ` in namespace "${ref.namespace}"` : " at the cluster scope";
}

function canIHint(req: ApiRequest): string {
  if (!req.ref) return `ask for access to ${req.path}`;
  const resource = req.ref.subresource ? `${req.ref.resource}/${req.ref.subresource}` : req.ref.resource;
  const group = req.ref.group ? `.${req.ref.group}` : "";
  const ns = req.ref.namespace ? ` -n ${req.ref.namespace}` : " -A";
  return `a Role or ClusterRole must grant "${req.verb}" on "${resource}${group}"; check with: kubectl auth can-i ${req.verb} ${resource}${group}${ns}`;
}

export function statusError(
  req: ApiRequest,
  config: ResolvedKubeConfig,
  status: number,
  body: string,
  retryAfter: string | undefined,
): KubeApiError {
  let reason: string | undefined;
  let serverMessage = body.trim().slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    reason = parsed.reason;
    if (parsed.message) serverMessage = parsed.message;
  } catch {
    // Not a Status object: keep the start of the body.
  }
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  const make = (message: string, hint?: string) =>
    new KubeApiError(message, hint, status, reason, undefined, retryAfterSeconds);
  switch (status) {
    case 401:
      return make(
        `Unauthorized: the API server at ${config.server} rejected the credentials of user "${config.userName}"`,
        "the client certificate or token may have expired or been revoked; check it with: kubectl certs expiry --source kubeconfig",
      );
    case 403:
      return make(`forbidden: cannot ${describeAccess(req)}${scope(req.ref)}`, canIHint(req));
    case 404: {
      const what = req.ref?.name ? `${req.ref.resource} "${req.ref.name}"` : describeAccess(req);
      return make(`not found: ${what}${req.ref?.namespace ? ` in namespace "${req.ref.namespace}"` : ""}`);
    }
    default:
      return make(
        `${describeAccess(req)}${scope(req.ref)} failed: ${status} ${reason ?? ""} ${serverMessage}`.replace(
          /\s+/g,
          " ",
        ),
        status === 429 || status >= 500
          ? "the API server is overloaded or unhealthy; retry later or check its /readyz"
          : undefined,
      );
  }
}

const TLS_HINT =
  "check --certificate-authority and --tls-server-name, or inspect it with: kubectl certs inspect apiserver";

export function networkError(req: ApiRequest, server: string, err: Error & { code?: string }): KubeApiError {
  const code = err.code;
  const access = describeAccess(req);
  const make = (message: string, hint: string) => new KubeApiError(message, hint, undefined, undefined, code);
  switch (code) {
    case "ECONNREFUSED":
      return make(
        `cannot connect to the API server at ${server}: connection refused (${access})`,
        "is kube-apiserver running, and does the kubeconfig (or --server) point at it?",
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return make(
        `cannot resolve the API server host in ${server}`,
        "check the server address in the kubeconfig",
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ETIMEDOUT":
      return make(
        `cannot reach the API server at ${server} (${code})`,
        "check the network path to the API server",
      );
    case "ECONNRESET":
    case "EPIPE":
      return make(
        `the API server at ${server} dropped the connection (${access})`,
        "retry; if it persists, check the API server's logs",
      );
    case "CERT_HAS_EXPIRED":
      return make(`the API server at ${server} presents an expired certificate`, TLS_HINT);
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return make(`the API server's certificate does not cover the address in ${server}`, TLS_HINT);
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return make(
        `the API server's certificate at ${server} is not signed by a trusted CA (${code})`,
        TLS_HINT,
      );
    default:
      return make(`${access} at ${server} failed: ${err.message}`, "rerun with -v=1 for details");
  }
}

export function timeoutError(req: ApiRequest, server: string, timeoutMs: number): KubeApiError {
  return new KubeApiError(
    // formatDuration floors to whole seconds, which would print a 500ms timeout as "0s".
    `no answer from the API server at ${server} within ${timeoutMs < 1000 ? `${timeoutMs}ms` : formatDuration(timeoutMs)} (${describeAccess(req)})`,
    "the server is overloaded or unreachable; raise --request-timeout or check the server",
    undefined,
    undefined,
    "ETIMEDOUT_REQUEST",
  );
}

/** A 2xx answer that should be JSON but is not: a proxy or another server answered, not the API server. */
export function notJsonError(req: ApiRequest, server: string, text: string): KubeApiError {
  const start = text.slice(0, 60).replace(/\s+/g, " ");
  return new KubeApiError(
    `${describeAccess(req)} at ${server} answered with something that is not JSON: "${start}${text.length > 60 ? "…" : ""}"`,
    "check that the kubeconfig (or --server) points at the API server itself, not a proxy or web server in front of it",
  );
}
