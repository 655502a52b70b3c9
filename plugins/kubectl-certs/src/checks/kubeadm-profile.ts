import { finding } from "@kubemend/lib/findings/catalogue";
import type { Finding } from "@kubemend/lib/findings/finding";
import { coversAddress } from "@kubemend/lib/x509/certificate";
import type { FoundCert } from "../model.js";
import { certEvidence } from "./expiry.js";
import { addSansStep, kubeadmProfile, renewalStep } from "./next-steps.js";

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

/**
 * The kubeadm files against kubeadm's table: CN, O, CA flag, extended key usages and required SANs.
 * A required SAN that is missing is critical only when a component here dials that address
 * (`dialed`, from the node's processes); kubeadm's ::1 that nothing dials is worth a note.
 */
export function checkKubeadmProfiles(
  certs: readonly FoundCert[],
  dialed: ReadonlySet<string> = new Set(),
): Finding[] {
  const findings: Finding[] = [];
  for (const found of certs) {
    const profile = kubeadmProfile(found.kubeadmName);
    const cert = found.cert;
    // The first certificate of a file is the one kubeadm wrote; the rest of a bundle is not profiled.
    if (!profile || !cert || found.role === "chain" || /#[1-9]\d*$/.test(found.location)) continue;
    const differences: string[] = [];
    if (profile.cn !== undefined && cert.subject.cn !== profile.cn)
      differences.push(`CN is "${cert.subject.cn ?? ""}", kubeadm expects "${profile.cn}"`);
    if (profile.o && !profile.o.some((o) => sameSet(o, cert.subject.o)))
      differences.push(
        `O is [${cert.subject.o.join(", ")}], kubeadm expects ${profile.o.map((o) => `[${o.join(", ")}]`).join(" or ")}`,
      );
    if (profile.isCA !== cert.isCA) differences.push(profile.isCA ? "it is not a CA" : "it is a CA");
    const missingUsages = profile.extKeyUsages.filter((u) => !cert.extKeyUsages.includes(u));
    if (missingUsages.length > 0) differences.push(`it lacks the usages ${missingUsages.join(", ")}`);
    const evidence = {
      ...certEvidence(found),
      expected: { cn: profile.cn, o: profile.o, extKeyUsages: profile.extKeyUsages },
    };
    if (differences.length > 0)
      findings.push(
        finding("PKI_PROFILE_MISMATCH", {
          subject: found.holder,
          message: `${found.location}: ${differences.join("; ")}`,
          evidence,
          next: renewalStep(found),
        }),
      );
    const missing = (profile.sans ?? []).filter((name) => !coversAddress(cert, name));
    for (const used of [true, false]) {
      const these = missing.filter(
        (name) => (profile.sansAlwaysDialed === true || dialed.has(name)) === used,
      );
      if (these.length === 0) continue;
      findings.push(
        finding("SAN_MISSING", {
          case: used ? "address-in-use" : "address-unused",
          subject: found.holder,
          message: used
            ? `${found.location} does not cover ${these.join(", ")}`
            : `${found.location} does not cover ${these.join(", ")} (kubeadm's profile has it; nothing on this node dials it)`,
          evidence: { ...evidence, missing: these, sans: [...cert.sans.dns, ...cert.sans.ip] },
          next: addSansStep(these),
        }),
      );
    }
  }
  return findings;
}
