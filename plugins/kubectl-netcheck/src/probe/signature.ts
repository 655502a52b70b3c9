/** What a probe through the API server's proxy found, from the error signature. */
export type ProbeResult =
  | { outcome: "ok"; status?: number; detail?: string }
  | { outcome: "http-error"; status: number }
  | {
      outcome:
        | "refused"
        | "timeout"
        | "nxdomain"
        | "no-endpoints"
        | "unreachable"
        | "not-http"
        | "forbidden"
        | "error";
      detail: string;
    };

/**
 * Reads the proxy's answer: a Status from the API server means the dial failed (its message holds
 * the Go net error); anything else is the backend's own HTTP answer.
 */
export function interpretProxyAnswer(status: number, body: string): ProbeResult {
  let message: string | undefined;
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === "Status") message = parsed.message ?? "";
  } catch {
    // the backend's own body
  }
  if (message === undefined)
    return status < 400 ? { outcome: "ok", status } : { outcome: "http-error", status };
  const detail = message;
  if (status === 403) return { outcome: "forbidden", detail };
  if (/no endpoints available/i.test(message)) return { outcome: "no-endpoints", detail };
  if (/connection refused/i.test(message)) return { outcome: "refused", detail };
  if (/i\/o timeout|deadline exceeded|timed out/i.test(message)) return { outcome: "timeout", detail };
  if (/no such host/i.test(message)) return { outcome: "nxdomain", detail };
  if (/no route to host|network is unreachable/i.test(message)) return { outcome: "unreachable", detail };
  if (/malformed HTTP|EOF/i.test(message)) return { outcome: "not-http", detail };
  return { outcome: "error", detail };
}

export function describeProbe(r: ProbeResult): string {
  switch (r.outcome) {
    case "ok":
      return r.status !== undefined ? `answered HTTP ${r.status}` : (r.detail ?? "ok");
    case "http-error":
      return `reachable, answered HTTP ${r.status}`;
    case "not-http":
      return `reachable, but does not speak HTTP (${r.detail})`;
    default:
      return `${r.outcome}: ${r.detail}`;
  }
}

/** A TCP connection was made: the network path works, whatever the application said. */
export function reached(r: ProbeResult): boolean {
  return r.outcome === "ok" || r.outcome === "http-error" || r.outcome === "not-http";
}
