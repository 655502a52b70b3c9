import type { CallOptions, Client, ClientReadableStream, ServiceError } from "@grpc/grpc-js";
import { IncompleteError } from "@kubemend/lib/cli/errors";
import {
  decodeMemberListResponse,
  decodeRangeResponse,
  decodeSnapshotResponse,
  decodeStatusResponse,
  EMPTY_REQUEST,
  encodeRangeRequest,
  type MemberListResponse,
  type RangeRequest,
  type RangeResponse,
  type SnapshotResponse,
  type StatusResponse,
} from "./proto.js";

/** TLS material for etcd's client port: the etcd CA, and a client certificate it signed. */
export interface EtcdTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Where the material came from, to name the file when the handshake fails. */
  files: { ca: string; cert?: string; key?: string };
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * grpc-js sets the TLS server name to the target host even when it is an IP address (etcd is
 * usually addressed by IP), and Node then prints DEP0123 on stderr. Node ignores such a name for
 * SNI anyway, and the certificate is still checked against the IP, so only that warning is
 * dropped. Done when grpc-js is loaded, at run time, not when this module is evaluated (which may
 * be while a startup snapshot is built).
 */
function dropDep0123(): void {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === "object" ? (rest[0] as { code?: string } | null)?.code : rest[1];
    if (code === "DEP0123") return;
    (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

const identity = (b: Buffer) => b;

/** grpc's status code for a missed deadline (status.DEADLINE_EXCEEDED). */
const DEADLINE_EXCEEDED = 4;

type Grpc = typeof import("@grpc/grpc-js");
let grpc: Grpc | undefined;

/**
 * grpc-js, loaded on first use: half the bundle's start-up work is evaluating it, and only the
 * commands that talk to etcd need it (status, inspect and diff read files).
 */
export async function loadGrpc(): Promise<Grpc> {
  if (grpc === undefined) {
    // A CommonJS package: in the bundle's split chunk its exports are only the default export.
    const m: Grpc & { default?: Grpc } = await import("@grpc/grpc-js");
    dropDep0123();
    grpc = m.default ?? m;
  }
  return grpc;
}

/** One etcd member's client URL, spoken to over gRPC. */
export class EtcdEndpoint {
  private channel: Client | undefined;

  constructor(
    readonly url: string,
    private readonly tls: EtcdTls | undefined,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    new URL(url);
  }

  /** The gRPC client, created on first use (after loadGrpc). */
  private get client(): Client {
    if (this.channel !== undefined) return this.channel;
    if (grpc === undefined) throw new Error("EtcdEndpoint used before loadGrpc()");
    const { ChannelCredentials, Client } = grpc;
    const tls = this.tls;
    const u = new URL(this.url);
    const credentials =
      u.protocol === "https:"
        ? ChannelCredentials.createSsl(tls?.ca ?? null, tls?.key ?? null, tls?.cert ?? null)
        : ChannelCredentials.createInsecure();
    this.channel = new Client(u.host, credentials, {
      // A dead peer mid-snapshot must end the stream, not hang it.
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      "grpc.keepalive_permit_without_calls": 1,
      "grpc.max_receive_message_length": 64 << 20,
      "grpc.enable_retries": 0,
      // HTTP/2's default 64 KiB window holds two 32 KiB snapshot messages: the stream then waits a
      // round trip per window update. 4 MiB measured 19 s → 14 s on a 1 GiB snapshot.
      "grpc-node.flow_control_window": 4 << 20,
    });
    return this.channel;
  }

  status(): Promise<StatusResponse> {
    return this.unary("/etcdserverpb.Maintenance/Status", decodeStatusResponse);
  }

  memberList(): Promise<MemberListResponse> {
    return this.unary("/etcdserverpb.Cluster/MemberList", decodeMemberListResponse);
  }

  range(request: RangeRequest): Promise<RangeResponse> {
    return this.unary("/etcdserverpb.KV/Range", decodeRangeResponse, encodeRangeRequest(request));
  }

  /** The snapshot stream; errors come out as gRPC ServiceErrors (see describeError). */
  async snapshot(): Promise<ClientReadableStream<SnapshotResponse>> {
    await loadGrpc();
    return this.client.makeServerStreamRequest(
      "/etcdserverpb.Maintenance/Snapshot",
      identity,
      decodeSnapshotResponse,
      EMPTY_REQUEST,
    );
  }

  close(): void {
    this.channel?.close();
  }

  private async unary<T>(
    method: string,
    decode: (b: Buffer) => T,
    request: Buffer = EMPTY_REQUEST,
  ): Promise<T> {
    await loadGrpc();
    const options: CallOptions = { deadline: Date.now() + this.timeoutMs };
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(method, identity, decode, request, options, (err, value) => {
        if (err || value === undefined) reject(this.error(err ?? new Error("empty response")));
        else resolve(value);
      });
    });
  }

  /** One line that says which endpoint failed, why, and (for TLS) which file to look at. */
  error(err: unknown, doing = "cannot reach etcd"): IncompleteError {
    const e = err as Partial<ServiceError>;
    const details = (e.details ?? (err instanceof Error ? err.message : String(err))).trim();
    const files = this.tls?.files;
    if (e.code === DEADLINE_EXCEEDED)
      return new IncompleteError(
        `${doing} at ${this.url}: no answer within ${this.timeoutMs / 1000}s`,
        "check that etcd runs there and that nothing filters the port; --endpoints picks other members",
      );
    const serverCert =
      /self[- ]signed|unable to (get|verify)|certificate (has expired|is not yet valid)|Hostname\/IP does not match|altnames|UNABLE_TO_VERIFY|SELF_SIGNED|ERR_TLS_CERT/i;
    if (serverCert.test(details))
      return new IncompleteError(
        `${doing} at ${this.url}: its server certificate does not verify with the CA ${files?.ca ?? "(none given)"}: ${details}`,
        "pass the etcd CA with --cacert (kubeadm: /etc/kubernetes/pki/etcd/ca.crt)",
      );
    const clientCert =
      /bad certificate|unknown ca|certificate required|alert number 4[0-9]|handshake failure|wrong version number|decrypt error/i;
    if (clientCert.test(details))
      return new IncompleteError(
        `${doing} at ${this.url}: etcd refused the client certificate ${files?.cert ?? "(none given)"}: ${details}`,
        "pass a client certificate signed by the etcd CA with --cert and --key (kubeadm: /etc/kubernetes/pki/etcd/healthcheck-client.crt)",
      );
    return new IncompleteError(
      `${doing} at ${this.url}: ${details || `gRPC status ${e.code ?? "unknown"}`}`,
      "check that etcd runs there and listens on that URL; --endpoints picks other members",
    );
  }
}
