import { KUBELET_SERVING_SIGNER, type Rule } from "./types.js";

/** Rule 1: only kubelet serving CSRs, whatever was asked for on the command line. */
export const signerRule: Rule = ({ csr }) =>
  csr.spec.signerName === KUBELET_SERVING_SIGNER
    ? []
    : [
        {
          rule: "signer",
          message: `signer is ${csr.spec.signerName || "(none)"}, not ${KUBELET_SERVING_SIGNER}`,
        },
      ];
