import { formatIp } from "../net/ip.js";
import {
  bitStringBits,
  children,
  content,
  DerError,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  expectTag,
  readTlv,
  TAG,
  type Tlv,
  toHex,
} from "./der.js";
import { EXTENSION, extensionName, extKeyUsageName, KEY_USAGE_NAMES } from "./oids.js";

export interface Sans {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
}

export interface ExtensionSummary {
  oid: string;
  /** Known extensions only ("subjectAltName", "keyUsage", ...). */
  name: string | undefined;
  critical: boolean;
}

export interface DecodedExtensions {
  sans: Sans;
  keyUsages: string[];
  extKeyUsages: string[];
  isCA: boolean;
  pathLen: number | undefined;
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  list: ExtensionSummary[];
}

function emptySans(): Sans {
  return { dns: [], ip: [], email: [], uri: [] };
}

/** Decodes a SEQUENCE OF Extension (a certificate's [3] content, or a CSR's extensionRequest value). */
export function decodeExtensions(bytes: Uint8Array, sequence: Tlv | undefined): DecodedExtensions {
  const out: DecodedExtensions = {
    sans: emptySans(),
    keyUsages: [],
    extKeyUsages: [],
    isCA: false,
    pathLen: undefined,
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    list: [],
  };
  if (!sequence) return out;
  for (const extension of children(bytes, expectTag(sequence, TAG.sequence, "extensions"))) {
    const parts = children(bytes, extension);
    const oidTlv = parts[0];
    const valueTlv = parts[parts.length - 1];
    if (!oidTlv || !valueTlv || parts.length < 2) throw new DerError("extension: missing fields");
    const oid = decodeOid(bytes, expectTag(oidTlv, TAG.oid, "extension id"));
    const criticalTlv = parts.length === 3 ? parts[1] : undefined;
    const critical = criticalTlv !== undefined && bytes[criticalTlv.start] !== 0;
    out.list.push({ oid, name: extensionName(oid), critical });
    const value = expectTag(valueTlv, TAG.octetString, "extension value");
    const inner = value.start < value.end ? readTlv(bytes, value.start, value.end) : undefined;
    if (!inner) continue;
    switch (oid) {
      case EXTENSION.subjectAltName:
        out.sans = decodeGeneralNames(bytes, inner);
        break;
      case EXTENSION.keyUsage:
        out.keyUsages = bitStringBits(bytes, inner).flatMap((set, i) =>
          set && KEY_USAGE_NAMES[i] ? [KEY_USAGE_NAMES[i]] : [],
        );
        break;
      case EXTENSION.extKeyUsage:
        out.extKeyUsages = children(bytes, inner).map((usage) => extKeyUsageName(decodeOid(bytes, usage)));
        break;
      case EXTENSION.basicConstraints:
        for (const field of children(bytes, inner)) {
          if (field.tag === TAG.boolean) out.isCA = bytes[field.start] !== 0;
          if (field.tag === TAG.integer) out.pathLen = decodeSmallInteger(bytes, field);
        }
        break;
      case EXTENSION.subjectKeyIdentifier:
        out.subjectKeyId = toHex(content(bytes, inner));
        break;
      case EXTENSION.authorityKeyIdentifier:
        for (const field of children(bytes, inner)) {
          if (field.tag === 0x80) out.authorityKeyId = toHex(content(bytes, field));
        }
        break;
    }
  }
  return out;
}

function decodeGeneralNames(bytes: Uint8Array, names: Tlv): Sans {
  const sans = emptySans();
  for (const name of children(bytes, names)) {
    switch (name.tag) {
      case 0x81:
        sans.email.push(decodeString(bytes, name));
        break;
      case 0x82:
        sans.dns.push(decodeString(bytes, name));
        break;
      case 0x86:
        sans.uri.push(decodeString(bytes, name));
        break;
      case 0x87:
        sans.ip.push(formatIp(content(bytes, name)));
        break;
    }
  }
  return sans;
}
