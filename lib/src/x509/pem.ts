import { type CertificateInfo, describeCertificate } from "./certificate.js";
import { readTlv, TAG } from "./der.js";

export interface BundleProblem {
  /** Position of the PEM block (or DER object) in the input, from 0. */
  index: number;
  message: string;
}

export interface CertificateBundle {
  certificates: CertificateInfo[];
  /** The position of each certificate's PEM block (or DER object) in the input, from 0. */
  blocks: number[];
  problems: BundleProblem[];
}

export type PemBlock =
  | { index: number; label: string; der: Uint8Array }
  | { index: number; label: string; problem: string };

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const DASHES = "-----";
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Every PEM block in `text`, in order, with its DER bytes when the block is well formed. Text
 * between blocks is ignored. Only blocks whose label is in `decode` have their body decoded; the
 * others (private keys, for one) are passed over untouched unless their armour is broken.
 */
export function* pemBlocks(text: string, decode: ReadonlySet<string>): Generator<PemBlock> {
  let index = 0;
  for (
    let begin = text.indexOf(BEGIN);
    begin !== -1;
    begin = text.indexOf(BEGIN, begin + BEGIN.length), index++
  ) {
    const labelEnd = text.indexOf(DASHES, begin + BEGIN.length);
    const label = labelEnd === -1 ? "" : text.slice(begin + BEGIN.length, labelEnd);
    if (labelEnd === -1 || /[\r\n]/.test(label)) {
      yield { index, label: "", problem: "PEM BEGIN line is not closed by -----" };
      continue;
    }
    const bodyStart = labelEnd + DASHES.length;
    const end = text.indexOf(END, bodyStart);
    const nextBegin = text.indexOf(BEGIN, bodyStart);
    if (end === -1 || (nextBegin !== -1 && nextBegin < end)) {
      yield { index, label, problem: `PEM block "${label}" has no END line` };
      continue;
    }
    const endLabelEnd = text.indexOf(DASHES, end + END.length);
    const endLabel = endLabelEnd === -1 ? "" : text.slice(end + END.length, endLabelEnd);
    begin = end;
    if (endLabel !== label) {
      yield { index, label, problem: `PEM block "${label}" ends with a different label` };
      continue;
    }
    if (!decode.has(label)) continue;
    const body = text.slice(bodyStart, end).replace(/\s+/g, "");
    if (body.length === 0 || body.length % 4 !== 0 || !BASE64.test(body)) {
      yield { index, label, problem: `PEM block "${label}" is not valid base64` };
      continue;
    }
    yield { index, label, der: Buffer.from(body, "base64") };
  }
}

const CERTIFICATE_LABELS = new Set(["CERTIFICATE"]);

/**
 * Every certificate in a PEM bundle (junk between blocks, CRLF and other block types are fine) or
 * in DER (one or several concatenated). Never throws: each bad block becomes a problem instead.
 */
export function parseCertificateBundle(input: string | Uint8Array): CertificateBundle {
  const bundle: CertificateBundle = { certificates: [], blocks: [], problems: [] };
  const objects = typeof input === "string" ? undefined : derObjects(input);
  if (objects) {
    for (const [index, der] of objects.entries()) addCertificate(bundle, index, der);
    return bundle;
  }
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  let blocks = 0;
  for (const block of pemBlocks(text, CERTIFICATE_LABELS)) {
    blocks++;
    if ("problem" in block) bundle.problems.push({ index: block.index, message: block.problem });
    else addCertificate(bundle, block.index, block.der);
  }
  if (blocks === 0 && !looksLikePem(text)) {
    bundle.problems.push({ index: 0, message: "no certificate found: input is neither PEM nor DER" });
  }
  return bundle;
}

function addCertificate(bundle: CertificateBundle, index: number, der: Uint8Array): void {
  try {
    bundle.certificates.push(describeCertificate(der));
    bundle.blocks.push(index);
  } catch (error) {
    const reason = error instanceof Error && error.name === "DerError" ? `: ${error.message}` : "";
    bundle.problems.push({ index, message: `not a valid X.509 certificate${reason}` });
  }
}

export function looksLikePem(input: string | Uint8Array): boolean {
  return typeof input === "string" ? input.includes(BEGIN) : Buffer.from(input).includes(BEGIN);
}

/** One or more DER SEQUENCEs back to back, exactly filling the input, each starting with a SEQUENCE. */
export function looksLikeDer(input: Uint8Array): boolean {
  return derObjects(input) !== undefined;
}

function derObjects(input: Uint8Array): Uint8Array[] | undefined {
  const objects: Uint8Array[] = [];
  try {
    for (let offset = 0; offset < input.length; ) {
      const tlv = readTlv(input, offset);
      if (tlv.tag !== TAG.sequence || input[tlv.start] !== TAG.sequence) return undefined;
      objects.push(input.subarray(offset, tlv.end));
      offset = tlv.end;
    }
  } catch {
    return undefined;
  }
  return objects.length > 0 ? objects : undefined;
}
