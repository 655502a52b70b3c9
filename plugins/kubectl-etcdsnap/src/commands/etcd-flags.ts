import type { Argv } from "yargs";

const GROUP = "etcd flags (as in etcdctl; ETCDCTL_* variables work too):";

/** etcdctl's connection flags; without them etcd is found from the control-plane mirror pods. */
export function withEtcdFlags(y: Argv): Argv {
  return y
    .option("endpoints", {
      type: "string",
      group: GROUP,
      describe: "Comma-separated etcd client URLs (default: from the etcd mirror pods)",
    })
    .option("cacert", { type: "string", group: GROUP, describe: "The etcd CA certificate file" })
    .option("cert", {
      type: "string",
      group: GROUP,
      describe: "A client certificate file signed by the etcd CA",
    })
    .option("key", { type: "string", group: GROUP, describe: "The client certificate's key file" });
}
