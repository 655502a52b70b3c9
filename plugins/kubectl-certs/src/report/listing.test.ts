import { beforeAll, describe, expect, it } from "vitest";
import { checkBootstrapTokens } from "../checks/cluster-objects.js";
import { checkExpiry } from "../checks/expiry.js";
import { DAY, found, type Issued, issue, NOW, thresholds } from "../testing.js";
import { listingRows } from "./listing.js";

describe("listingRows", () => {
  let certs: Issued[];
  beforeAll(async () => {
    const ca = await issue({ cn: "root", ca: true, to: 3650 });
    certs = await Promise.all(
      [400, -3, 20, 5].map((to, i) => issue({ cn: `c${i}`, signer: ca, from: to < 0 ? -300 : -1, to })),
    );
  });

  it("puts the soonest expiry first, unparsable values last, with the status and severity of each one's finding", () => {
    const found_ = [
      ...certs.map((c, i) => found(c, { location: `l${i}` })),
      { ...found(certs[0] as Issued), location: "bad", cert: undefined, problem: "truncated" },
    ];
    const tokens = [
      {
        name: "bootstrap-token-abcdef",
        tokenId: "abcdef",
        expiration: new Date(NOW.getTime() + 2 * DAY),
        deleting: false,
      },
    ];
    const findings = [...checkExpiry(found_, thresholds), ...checkBootstrapTokens(tokens, thresholds)];
    const rows = listingRows(found_, tokens, findings, thresholds);
    expect(rows.map((r) => [r.location, r.status, r.severity, r.subject])).toEqual([
      ["l1", "EXPIRED", "critical", "CN=c1"],
      // A token that lapses in two days is normal for kubeadm's 24-hour tokens: its finding is
      // INFO, and so is its row, not a red CRITICAL.
      ["secret/kube-system/bootstrap-token-abcdef", "EXPIRING", "info", "bootstrap token abcdef"],
      ["l3", "CRITICAL", "critical", "CN=c3"],
      ["l2", "EXPIRING", "warning", "CN=c2"],
      ["l0", "OK", undefined, "CN=c0"],
      ["bad", "UNPARSABLE", "warning", ""],
    ]);
    expect(rows[0]?.residualMs).toBe(-3 * DAY);
    expect(rows[4]?.keyType).toBe("ECDSA P-256");
  });
});
