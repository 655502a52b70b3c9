import { type CertificateInfo, verifyIssuedBy } from "./certificate.js";

export type ChainProblemCode =
  | "wrong-order"
  | "unrelated-certificate"
  | "missing-intermediate"
  | "ca-mismatch"
  | "issuer-expires-before-leaf";

export interface ChainProblem {
  code: ChainProblemCode;
  message: string;
}

export interface ChainLint {
  /** Leaf first, then each issuer found in the bundle. */
  ordered: CertificateInfo[];
  /** The CA (from the bundle's own root or from `caCerts`) the chain ends at, when there is one. */
  anchor: CertificateInfo | undefined;
  problems: ChainProblem[];
}

export interface ChainOptions {
  /**
   * The CAs clients are given (a ca.crt, a caBundle). Without them only order, unrelated
   * certificates and expiry are checked: a chain may legitimately end below its root.
   */
  caCerts?: CertificateInfo[];
}

/** Orders a served or stored chain (tls.crt) leaf first and reports what a client would trip over. */
export function orderAndLintChain(certs: CertificateInfo[], options: ChainOptions = {}): ChainLint {
  const problems: ChainProblem[] = [];
  if (certs.length === 0) return { ordered: [], anchor: undefined, problems };

  const parentOf = certs.map((cert, i) =>
    certs.findIndex((other, j) => j !== i && verifyIssuedBy(cert, other)),
  );
  const isParent = new Set(parentOf.filter((p) => p !== -1));
  const leaves = certs.map((_, i) => i).filter((i) => !isParent.has(i));
  const leafIndex = leaves.find((i) => !certs[i]?.isCA) ?? leaves[0] ?? 0;

  const path: number[] = [];
  for (let i = leafIndex; i !== -1 && !path.includes(i); i = parentOf[i] ?? -1) path.push(i);
  const ordered = path.map((i) => certs[i] as CertificateInfo);
  const leaf = ordered[0] as CertificateInfo;

  certs.forEach((cert, i) => {
    if (!path.includes(i)) {
      problems.push({
        code: "unrelated-certificate",
        message: `${cert.subject.dn} is not part of the chain of ${leaf.subject.dn}`,
      });
    }
  });
  if (path.some((position, k) => k > 0 && position < (path[k - 1] as number)) || path[0] !== 0) {
    problems.push({
      code: "wrong-order",
      message: `certificates are not in leaf-to-root order; expected ${ordered.map((c) => c.subject.dn).join(" → ")}`,
    });
  }

  const top = ordered[ordered.length - 1] as CertificateInfo;
  let anchor: CertificateInfo | undefined = top.selfSigned ? top : undefined;
  const cas = options.caCerts;
  if (cas) {
    const trusted = top.selfSigned
      ? cas.find((ca) => ca.sha256Fingerprint === top.sha256Fingerprint)
      : cas.find((ca) => verifyIssuedBy(top, ca));
    anchor = trusted;
    if (!trusted) problems.push(anchorProblem(top, cas));
  }

  const issuers = anchor && anchor !== top ? [...ordered.slice(1), anchor] : ordered.slice(1);
  for (const issuer of issuers) {
    if (issuer.notAfter < leaf.notAfter) {
      problems.push({
        code: "issuer-expires-before-leaf",
        message: `issuer ${issuer.subject.dn} expires ${issuer.notAfter.toISOString()}, before ${leaf.subject.dn} (${leaf.notAfter.toISOString()})`,
      });
    }
  }
  return { ordered, anchor, problems };
}

function anchorProblem(top: CertificateInfo, cas: CertificateInfo[]): ChainProblem {
  const caNames = cas.map((ca) => ca.subject.dn).join("; ") || "none";
  if (top.selfSigned) {
    return {
      code: "ca-mismatch",
      message: `the chain ends at ${top.subject.dn}, which is not among the given CAs (${caNames})`,
    };
  }
  if (cas.some((ca) => ca.subject.dn === top.issuer.dn)) {
    return {
      code: "ca-mismatch",
      message: `${top.subject.dn} names issuer ${top.issuer.dn}, but the given CA of that name did not sign it (a different key)`,
    };
  }
  return {
    code: "missing-intermediate",
    message: `issuer ${top.issuer.dn} of ${top.subject.dn} is neither in the chain nor among the given CAs (${caNames})`,
  };
}
