// A read-only bbolt reader. There is no JavaScript bbolt reader on npm, so this one is written by
// hand from bbolt's on-disk format (layout.ts). It never maps or slurps the file: pages come from
// positioned reads of large blocks behind a bounded cache (blockfile.ts), so memory stays flat
// however large the snapshot is. Every loop is bounded by page counts or the high water mark, and
// page visits are tracked, so a corrupt or hostile file yields a BoltError or a problem, not a hang.

import { type FileHandle, open } from "node:fs/promises";
import { type Block, BlockFile, type BlockFileOptions } from "./blockfile.js";
import { type BoltCheckResult, type ScanVisitor, scan } from "./check.js";
import { BoltError, type BoltMeta, BUCKET_LEAF_FLAG, NO_FREELIST, PageFlag, parseMeta } from "./layout.js";
import {
  type BucketRef,
  branchChild,
  branchKeyLen,
  branchKeyOff,
  bucketRef,
  compareBytes,
  headerId,
  leafFlags,
  leafKeyLen,
  leafKeyOff,
  leafValueLen,
  type PageView,
  readHeader,
  validateElements,
} from "./page.js";

export type { BoltCheckResult, BoltProblem, ScanVisitor } from "./check.js";
export { BoltError, type BoltErrorCode, type BoltMeta } from "./layout.js";

export interface BoltEntry {
  key: Uint8Array;
  /** null when the entry is a nested bucket. */
  value: Uint8Array | null;
}

/** A bucket name, or the names from the top level down for a nested bucket. */
export type BucketPath = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

export interface OpenOptions extends BlockFileOptions {
  /** The size the file will have, for a file still being written (with `written`); default its size now. */
  size?: number;
}

/** Deepest page tree followed; a real B+tree over 2^64 keys is far shallower. */
const MAX_TREE_DEPTH = 64;

const MIN_PAGE_SIZE = 512;
const MAX_PAGE_SIZE = 1 << 20;
const PROBE_SIZE = 0x1000;

const utf8 = new TextEncoder();

export async function openBolt(path: string, options: OpenOptions = {}): Promise<BoltReader> {
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new BoltError("NOT_BOLT", `${path} is not a regular file`);
    const size = options.size ?? st.size;
    const meta = await readMeta(fh, size, options.written);
    // Blocks are a power of two no smaller than a page, so a page never straddles two blocks.
    const blockSize = Math.max(2 ** Math.ceil(Math.log2(options.blockSize ?? 4 << 20)), meta.pageSize);
    const file = new BlockFile(fh, size, { ...options, blockSize });
    return new BoltReader(path, fh, file, meta);
  } catch (err) {
    await fh.close();
    throw err;
  }
}

type Written = OpenOptions["written"];

async function readExact(
  fh: FileHandle,
  pos: number,
  length: number,
  size: number,
  written: Written,
): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  if (written !== undefined) await written(Math.min(pos + length, size));
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, pos + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function rawTxid(buf: Uint8Array): bigint {
  if (buf.length < 80) return -1n;
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(64, true);
}

/** Finds the page size the way bbolt does, then picks the valid meta page with the higher txid. */
async function readMeta(fh: FileHandle, size: number, written: Written): Promise<BoltMeta> {
  const read = (pos: number, length: number) => readExact(fh, pos, length, size, written);
  const first = await read(0, Math.min(size, PROBE_SIZE));
  const m0 = parseMeta(first, 0, 0);
  let pageSize = m0.ok ? m0.meta.pageSize : undefined;
  for (let i = 0; pageSize === undefined && i <= 14; i++) {
    const pos = 1024 << i;
    if (pos >= size - 1024) break;
    const m = parseMeta(await read(pos, PROBE_SIZE), 0, 1);
    if (m.ok) pageSize = m.meta.pageSize;
  }
  if (pageSize === undefined) {
    if (m0.ok) throw new Error("unreachable");
    throw m0.error;
  }
  if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw new BoltError("CORRUPT", `unsupported page size ${pageSize}`);
  }
  if (size < 2 * pageSize) {
    throw new BoltError("TRUNCATED", `file has ${size} bytes, less than two ${pageSize}-byte meta pages`);
  }
  const p0 = first.length >= pageSize ? first.subarray(0, pageSize) : await read(0, pageSize);
  const p1 = await read(pageSize, pageSize);
  const r0 = parseMeta(p0, 0, 0);
  const r1 = parseMeta(p1, 0, 1);
  const [a, b] = rawTxid(p1) > rawTxid(p0) ? [r1, r0] : [r0, r1];
  const chosen = a.ok ? a.meta : b.ok ? b.meta : undefined;
  if (chosen === undefined) throw r0.ok ? new Error("unreachable") : r0.error;
  const dataSize = chosen.pgid * pageSize;
  if (chosen.pgid < 2)
    throw new BoltError("CORRUPT", `meta page ${chosen.page}: high water mark ${chosen.pgid}`);
  if (dataSize > size) {
    throw new BoltError(
      "TRUNCATED",
      `file has ${size} bytes but meta page ${chosen.page} says ${chosen.pgid} pages of ${pageSize} bytes (${dataSize})`,
    );
  }
  return chosen;
}

/** A copy, so a caller holding an entry does not pin a whole cached block. */
function copy(buf: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}

function toBytes(name: string | Uint8Array): Uint8Array {
  return typeof name === "string" ? utf8.encode(name) : name;
}

export class BoltReader {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    /** The block cache under the reader (read-only use: hooks such as onLoad). */
    readonly file: BlockFile,
    readonly meta: BoltMeta,
  ) {}

  get pageSize(): number {
    return this.meta.pageSize;
  }
  /** Size of the file on disk (a data dir's db is usually larger than the data it holds). */
  get fileSize(): number {
    return this.file.size;
  }
  /** Bytes of data: high water mark × page size (what bbolt's Tx.Size and etcdutl's totalSize report). */
  get dataSize(): number {
    return this.meta.pgid * this.meta.pageSize;
  }
  /** Blocks in the read cache now (bounded by the cacheBytes option). */
  get cachedBlocks(): number {
    return this.file.cachedBlocks;
  }
  get freelistPersisted(): boolean {
    return this.meta.freelist !== NO_FREELIST;
  }
  get rootRef(): BucketRef {
    return { root: this.meta.root, inline: null };
  }

  /**
   * The page `id` with its overflow, or a string saying why it cannot be read. Synchronous when the
   * page is cached, so hot loops avoid a microtask per page.
   */
  page(id: number): PageView | string | Promise<PageView | string> {
    return this.pageIn(id, false);
  }

  /**
   * page(), for a scan that calls unpin(view) once it holds no view into the page any more, so
   * the buffer under it can be read into again (no fresh 4 MiB buffer per block read).
   */
  pinnedPage(id: number): PageView | string | Promise<PageView | string> {
    return this.pageIn(id, true);
  }

  unpin(p: PageView): void {
    if (p.block !== undefined) this.file.unpin(p.block);
  }

  private pageIn(id: number, pin: boolean): PageView | string | Promise<PageView | string> {
    if (this.closed) throw new BoltError("CLOSED", "bolt reader is closed");
    if (!Number.isSafeInteger(id) || id < 0 || id >= this.meta.pgid) {
      return `page ${id} is beyond the high water mark ${this.meta.pgid}`;
    }
    const off = id * this.meta.pageSize;
    const block = this.file.cached(off);
    if (block !== undefined) return this.fromBlock(block, id, off, pin);
    return this.file.block(off).then((b) => this.fromBlock(b, id, off, pin));
  }

  private fromBlock(
    block: Block,
    id: number,
    off: number,
    pin: boolean,
  ): PageView | string | Promise<PageView | string> {
    const { buf, dv, start } = block;
    const ps = this.meta.pageSize;
    const base = off - start;
    const head = readHeader(buf, dv, base, Math.min(base + ps, buf.length), id);
    if (typeof head === "string") return `page ${id}: ${head}`;
    const inBlock = head.overflow === 0 || base + (head.overflow + 1) * ps <= buf.length;
    if (inBlock) {
      if (pin) {
        this.file.pin(block);
        head.block = block;
      } else this.file.keep(block);
    }
    if (head.overflow === 0) return head;
    if (id + head.overflow >= this.meta.pgid) {
      if (head.block !== undefined) this.file.unpin(block);
      return `page ${id}: ${head.overflow} overflow pages run past the high water mark ${this.meta.pgid}`;
    }
    const span = (head.overflow + 1) * ps;
    if (inBlock) {
      head.end = base + span;
      return head;
    }
    // A page a little over a block boundary comes from the two blocks; a huge one is read whole.
    const whole =
      span <= 2 * this.file.blockSize ? this.file.span(off, span) : this.file.readExact(off, span);
    return whole.then((big) => {
      const v = readHeader(big, new DataView(big.buffer, big.byteOffset, big.byteLength), 0, big.length, id);
      return typeof v === "string" ? `page ${id}: ${v}` : v;
    });
  }

  /** Top-level bucket names in key order. */
  async *buckets(): AsyncGenerator<Uint8Array> {
    for await (const e of this.entries(this.rootRef)) if (e.value === null) yield e.key;
  }

  /** Every entry of a bucket in key order; nested buckets appear with value null. */
  async *cursor(bucket: BucketPath): AsyncGenerator<BoltEntry> {
    yield* this.entries(await this.resolve(bucket));
  }

  /** The value stored under `key` in `bucket` (null for a nested bucket), or undefined. */
  async get(bucket: BucketPath, key: string | Uint8Array): Promise<Uint8Array | null | undefined> {
    const found = await this.find(await this.resolve(bucket), toBytes(key));
    if (found === undefined) return undefined;
    const [p, i] = found;
    if (leafFlags(p, i) & BUCKET_LEAF_FLAG) return null;
    const k = leafKeyOff(p, i) + leafKeyLen(p, i);
    return copy(p.buf, k, k + leafValueLen(p, i));
  }

  /** Checks the whole file's structure (what `bbolt check` checks); problems are returned, not thrown. */
  check(): Promise<BoltCheckResult> {
    return scan(this);
  }

  /**
   * Walks every bucket depth-first in key order, checking structure as it goes, and calls `visit`
   * for each entry (a bucket entry comes just before its bucket's own entries). The byte views
   * passed to `visit` are valid only during the call, or until `leafDone` is called after the last
   * entry of their leaf page. One pass, no per-entry allocation.
   */
  scan(visit: ScanVisitor, leafDone?: () => void): Promise<BoltCheckResult> {
    return scan(this, visit, leafDone);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close();
  }

  async resolve(bucket: BucketPath): Promise<BucketRef> {
    const names = typeof bucket === "string" || bucket instanceof Uint8Array ? [bucket] : bucket;
    let ref = this.rootRef;
    for (const name of names) {
      const found = await this.find(ref, toBytes(name));
      const label = typeof name === "string" ? name : Buffer.from(name).toString("hex");
      if (found === undefined) throw new BoltError("NOT_FOUND", `bucket ${JSON.stringify(label)} not found`);
      const [p, i] = found;
      if ((leafFlags(p, i) & BUCKET_LEAF_FLAG) === 0) {
        throw new BoltError("NOT_FOUND", `${JSON.stringify(label)} is a key, not a bucket`);
      }
      const k = leafKeyOff(p, i) + leafKeyLen(p, i);
      ref = bucketRef(p.buf, p.dv, k, leafValueLen(p, i));
    }
    return ref;
  }

  private async treePage(id: number, seen: Uint8Array): Promise<PageView> {
    if (id < this.meta.pgid) {
      if (seen[id] === 1) throw new BoltError("CORRUPT", `page ${id} is reached twice (cycle)`);
      seen[id] = 1;
    }
    let p = this.page(id);
    if (p instanceof Promise) p = await p;
    if (typeof p === "string") throw new BoltError("CORRUPT", p);
    if (headerId(p) !== id) throw new BoltError("CORRUPT", `page ${id}: header says page ${headerId(p)}`);
    return this.checked(p);
  }

  private checked(p: PageView): PageView {
    if (p.flags !== PageFlag.branch && p.flags !== PageFlag.leaf) {
      throw new BoltError("CORRUPT", `page ${p.id}: expected a branch or leaf page, flags ${p.flags}`);
    }
    if (p.id < 0 && p.flags !== PageFlag.leaf)
      throw new BoltError("CORRUPT", "inline bucket page is not a leaf");
    const bad = validateElements(p);
    if (bad !== null) throw new BoltError("CORRUPT", `page ${p.id}: ${bad}`);
    return p;
  }

  private async find(ref: BucketRef, key: Uint8Array): Promise<[PageView, number] | undefined> {
    const seen = new Uint8Array(this.meta.pgid);
    let p = ref.inline !== null ? this.checked(ref.inline) : await this.treePage(ref.root, seen);
    for (let depth = 0; p.flags === PageFlag.branch; depth++) {
      if (depth > MAX_TREE_DEPTH || p.count === 0) throw new BoltError("CORRUPT", `page ${p.id}: bad branch`);
      let idx = 0;
      for (let i = 1; i < p.count; i++) {
        if (compareBytes(p.buf, branchKeyOff(p, i), branchKeyLen(p, i), key, 0, key.length) > 0) break;
        idx = i;
      }
      p = await this.treePage(branchChild(p, idx), seen);
    }
    for (let i = 0; i < p.count; i++) {
      if (compareBytes(p.buf, leafKeyOff(p, i), leafKeyLen(p, i), key, 0, key.length) === 0) return [p, i];
    }
    return undefined;
  }

  private async *entries(ref: BucketRef): AsyncGenerator<BoltEntry> {
    const seen = new Uint8Array(this.meta.pgid);
    const stack: { p: PageView; i: number }[] = [];
    stack.push({
      p: ref.inline !== null ? this.checked(ref.inline) : await this.treePage(ref.root, seen),
      i: 0,
    });
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { p: PageView; i: number };
      const { p } = top;
      if (top.i >= p.count) {
        stack.pop();
        continue;
      }
      const i = top.i++;
      if (p.flags === PageFlag.branch) {
        if (stack.length > MAX_TREE_DEPTH) throw new BoltError("CORRUPT", `page ${p.id}: tree too deep`);
        stack.push({ p: await this.treePage(branchChild(p, i), seen), i: 0 });
        continue;
      }
      const k = leafKeyOff(p, i);
      const kEnd = k + leafKeyLen(p, i);
      const isBucket = (leafFlags(p, i) & 0x01) !== 0;
      yield {
        key: copy(p.buf, k, kEnd),
        value: isBucket ? null : copy(p.buf, kEnd, kEnd + leafValueLen(p, i)),
      };
    }
  }
}
