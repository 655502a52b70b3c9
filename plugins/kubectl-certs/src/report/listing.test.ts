import { beforeAll, describe, expect, it } from "vitest";
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

  it("puts the soonest expiry first, unparsable values last, with a status for each", () => {
    const rows = listingRows(
      [
        ...certs.map((c, i) => found(c, { location: `l${i}` })),
        { ...found(certs[0] as Issued), location: "bad", cert: undefined, problem: "truncated" },
      ],
      [
        {
          name: "bootstrap-token-abcdef",
          tokenId: "abcdef",
          expiration: new Date(NOW.getTime() + 2 * DAY),
          deleting: false,
        },
      ],
      thresholds,
    );
    expect(rows.map((r) => [r.location, r.status, r.subject])).toEqual([
      ["l1", "EXPIRED", "CN=c1"],
      ["secret/kube-system/bootstrap-token-abcdef", "CRITICAL", "bootstrap token abcdef"],
      ["l3", "CRITICAL", "CN=c3"],
      ["l2", "EXPIRING", "CN=c2"],
      ["l0", "OK", "CN=c0"],
      ["bad", "UNPARSABLE", ""],
    ]);
    expect(rows[0]?.residualMs).toBe(-3 * DAY);
    expect(rows[4]?.keyType).toBe("ECDSA P-256");
  });
});
