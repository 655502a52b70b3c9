// A minimal DER reader for the few structures kubemend reads (certificates, PKCS#10, names and a
// handful of extensions). Written by hand for speed: @peculiar/asn1-schema costs ~0.4 ms per
// certificate, and `kubectl certs` parses every TLS secret of a cluster (10,000+).

export class DerError extends Error {
  override name = "DerError";
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  headerStart: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
} as const;

export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError("truncated DER");
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("unsupported high tag number");
  let length = bytes[offset + 1] as number;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError("indefinite length is not DER");
    if (count > 4 || start + count > limit) throw new DerError("bad DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] as number);
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new DerError("truncated DER");
  return { tag, headerStart: offset, start, end };
}

export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${tlv.tag.toString(16)}`);
  return tlv;
}

export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(bytes, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

export function content(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

export function whole(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.headerStart, tlv.end);
}

export function decodeOid(bytes: Uint8Array, tlv: Tlv): string {
  const arcs: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = bytes[i] as number;
    value = value * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join(".");
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

const utf8 = new TextDecoder("utf-8");
const latin1 = new TextDecoder("latin1");

/** Decodes the ASN.1 string types found in names and general names. */
export function decodeString(bytes: Uint8Array, tlv: Tlv): string {
  const raw = content(bytes, tlv);
  switch (tlv.tag) {
    case 0x0c: // UTF8String
      return utf8.decode(raw);
    case 0x1e: {
      // BMPString: UTF-16BE
      let s = "";
      for (let i = 0; i + 1 < raw.length; i += 2)
        s += String.fromCharCode(((raw[i] as number) << 8) | (raw[i + 1] as number));
      return s;
    }
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = "";
      for (let i = 0; i + 3 < raw.length; i += 4) {
        s += String.fromCodePoint(
          (((raw[i] as number) << 24) |
            ((raw[i + 1] as number) << 16) |
            ((raw[i + 2] as number) << 8) |
            (raw[i + 3] as number)) >>>
            0,
        );
      }
      return s;
    }
    default: // PrintableString, IA5String, VisibleString, T61String, NumericString
      return latin1.decode(raw);
  }
}

/**
 * Hex of a DER INTEGER's magnitude, lowercase, without the 0x00 sign byte DER adds before a high
 * bit (so it reads like `openssl x509 -serial`). A negative (non-conforming) serial keeps its
 * two's-complement bytes.
 */
export function integerHex(bytes: Uint8Array, tlv: Tlv): string {
  let start = tlv.start;
  while (start < tlv.end - 1 && bytes[start] === 0) start++;
  return toHex(bytes.subarray(start, tlv.end));
}

export function decodeSmallInteger(bytes: Uint8Array, tlv: Tlv): number {
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + (bytes[i] as number);
  return value;
}

/** The bits of a BIT STRING, most significant first. */
export function bitStringBits(bytes: Uint8Array, tlv: Tlv): boolean[] {
  const unused = bytes[tlv.start] ?? 0;
  const bits: boolean[] = [];
  for (let i = tlv.start + 1; i < tlv.end; i++) {
    for (let bit = 7; bit >= 0; bit--) bits.push((((bytes[i] as number) >> bit) & 1) === 1);
  }
  return bits.slice(0, Math.max(0, bits.length - unused));
}

/** The content of a BIT STRING holding whole bytes (signatures, public keys). */
export function bitStringBytes(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start + 1, tlv.end);
}

/**
 * An X.509 Time (RFC 5280 4.1.2.5): UTCTime YYMMDDHHMMSSZ (years 1950–2049) or GeneralizedTime
 * YYYYMMDDHHMMSSZ. Anything else, or a field out of range, is an Invalid Date. Decoded here rather
 * than through X509Certificate.validFromDate, which for a mangled time (month 13) returns whatever
 * OpenSSL left in its struct tm: sometimes Invalid Date, sometimes a date in year 202559.
 */
export function decodeTime(bytes: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(content(bytes, tlv)).toString("latin1");
  const m =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tlv.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!m) return new Date(Number.NaN);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fullYear = tlv.tag === 0x17 ? (year < 50 ? 2000 + year : 1900 + year) : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
  const exact =
    date.getUTCFullYear() === fullYear &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return exact ? date : new Date(Number.NaN);
}
