import { BoltError, BUCKET_LEAF_FLAG, PageFlag, pageTypeName, u64 } from "./layout.js";
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
  validateElements,
} from "./page.js";
import type { BoltReader } from "./reader.js";

export type BoltProblemCode =
  | "PAGE_OUT_OF_BOUNDS"
  | "PAGE_UNREADABLE"
  | "PAGE_ID_MISMATCH"
  | "PAGE_INVALID_TYPE"
  | "PAGE_MULTIPLE_REFERENCES"
  | "PAGE_REACHABLE_FREED"
  | "PAGE_UNREACHABLE_UNFREED"
  | "PAGE_ALREADY_FREED"
  | "FREELIST_INVALID"
  | "ELEMENT_OUT_OF_BOUNDS"
  | "KEY_ORDER"
  | "BUCKET_INVALID"
  | "TOO_DEEP";

export interface BoltProblem {
  code: BoltProblemCode;
  /** The page the problem is on; absent for inline bucket pages. */
  page?: number;
  message: string;
}

export interface BoltCheckResult {
  ok: boolean;
  /** The first MAX_PROBLEMS problems. */
  problems: BoltProblem[];
  /** All problems found, including those not kept. */
  problemCount: number;
  /** Pages reachable from the meta (meta, freelist and every bucket's tree, with overflow). */
  reachablePages: number;
  /** Free pages: the persisted freelist, or (when not persisted, as etcd does) the unreachable ones. */
  freePages: number;
  highWaterMark: number;
}

/**
 * Called for each entry during a scan; depth 0 is the root bucket (whose entries are the top-level
 * buckets). The views are valid only during the call.
 */
export type ScanVisitor = (
  depth: number,
  buf: Uint8Array,
  keyOff: number,
  keyLen: number,
  valueOff: number,
  valueLen: number,
  isBucket: boolean,
) => void;

export const MAX_PROBLEMS = 1000;
const MAX_TREE_DEPTH = 64;
const MAX_BUCKET_DEPTH = 64;

const noVisit: ScanVisitor = () => {};

/** Walks every bucket once, checking the same invariants as bbolt's Tx.Check, and visits entries. */
export async function scan(
  reader: BoltReader,
  visit: ScanVisitor = noVisit,
  leafDone?: () => void,
): Promise<BoltCheckResult> {
  const s = new Scanner(reader, visit, leafDone);
  await s.run();
  return {
    ok: s.count === 0,
    problems: s.problems,
    problemCount: s.count,
    reachablePages: s.reachableCount,
    freePages: s.freeCount,
    highWaterMark: s.hwm,
  };
}

class Scanner {
  readonly hwm: number;
  readonly problems: BoltProblem[] = [];
  count = 0;
  reachableCount = 0;
  freeCount = 0;
  private readonly reachable: Uint8Array;
  private readonly freed: Uint8Array;

  constructor(
    private readonly r: BoltReader,
    private readonly visit: ScanVisitor,
    private readonly leafDone: (() => void) | undefined,
  ) {
    this.hwm = r.meta.pgid;
    this.reachable = new Uint8Array(this.hwm);
    this.freed = new Uint8Array(this.hwm);
  }

  private problem(code: BoltProblemCode, page: number, message: string): void {
    this.count++;
    if (this.problems.length >= MAX_PROBLEMS) return;
    this.problems.push(page >= 0 ? { code, page, message } : { code, message });
  }

  async run(): Promise<void> {
    this.reachable[0] = 1;
    this.reachable[1] = 1;
    if (this.r.freelistPersisted) await this.readFreelist(this.r.meta.freelist);
    await this.bucket(this.r.rootRef, 0);
    const persisted = this.r.freelistPersisted;
    for (let i = 0; i < this.hwm; i++) {
      if (this.reachable[i] === 1) this.reachableCount++;
      else if (!persisted) this.freeCount++;
      else if (this.freed[i] !== 1)
        this.problem("PAGE_UNREACHABLE_UNFREED", i, `page ${i}: unreachable unfreed`);
    }
  }

  /** A page pinned in the reader's cache: the caller unpins it once it holds no view into it. */
  private async load(id: number): Promise<PageView | undefined> {
    let p = this.r.pinnedPage(id);
    if (p instanceof Promise) p = await p;
    if (typeof p === "string") {
      this.problem(id >= this.hwm ? "PAGE_OUT_OF_BOUNDS" : "PAGE_UNREADABLE", id, p);
      return undefined;
    }
    const hid = headerId(p);
    if (hid !== id) {
      this.r.unpin(p);
      this.problem("PAGE_ID_MISMATCH", id, `page ${id}: header says page ${hid}`);
      return undefined;
    }
    return p;
  }

  private async readFreelist(id: number): Promise<void> {
    const p = await this.load(id);
    if (p === undefined) return;
    try {
      this.freelist(p, id);
    } finally {
      this.r.unpin(p);
    }
  }

  private freelist(p: PageView, id: number): void {
    for (let i = 0; i <= p.overflow; i++) this.reachable[id + i] = 1;
    if (p.flags !== PageFlag.freelist) {
      this.problem("FREELIST_INVALID", id, `page ${id}: freelist page has type ${pageTypeName(p.flags)}`);
      return;
    }
    let start = p.base + 16;
    let n = p.count;
    if (n === 0xffff) {
      if (start + 8 > p.end) {
        this.problem("FREELIST_INVALID", id, `page ${id}: truncated freelist`);
        return;
      }
      n = u64(p.dv, start);
      start += 8;
    }
    if (start + n * 8 > p.end) {
      this.problem("FREELIST_INVALID", id, `page ${id}: ${n} free page ids overrun the page`);
      return;
    }
    for (let i = 0; i < n; i++) {
      const f = u64(p.dv, start + i * 8);
      if (f >= this.hwm) this.problem("FREELIST_INVALID", id, `free page ${f} is beyond the high water mark`);
      else if (this.freed[f] === 1) this.problem("PAGE_ALREADY_FREED", f, `page ${f}: already freed`);
      else {
        this.freed[f] = 1;
        this.freeCount++;
      }
    }
  }

  private async bucket(ref: BucketRef, depth: number): Promise<void> {
    if (depth > MAX_BUCKET_DEPTH) return this.problem("TOO_DEEP", ref.root, "buckets nested too deeply");
    if (ref.inline === null) return this.tree(ref.root, depth, 0, null, null);
    const p = ref.inline;
    if (p.flags !== PageFlag.leaf) {
      return this.problem("BUCKET_INVALID", -1, `inline bucket page has type ${pageTypeName(p.flags)}`);
    }
    const bad = validateElements(p);
    if (bad !== null) return this.problem("ELEMENT_OUT_OF_BOUNDS", -1, `inline bucket page: ${bad}`);
    return this.leaf(p, depth, null, null);
  }

  private async tree(
    id: number,
    depth: number,
    level: number,
    min: Key | null,
    max: Key | null,
  ): Promise<void> {
    if (level > MAX_TREE_DEPTH) return this.problem("TOO_DEEP", id, `page ${id}: tree too deep`);
    const p = await this.load(id);
    if (p === undefined) return;
    try {
      await this.treePage(p, id, depth, level, min, max);
    } finally {
      this.r.unpin(p);
    }
  }

  private async treePage(
    p: PageView,
    id: number,
    depth: number,
    level: number,
    min: Key | null,
    max: Key | null,
  ): Promise<void> {
    let again = false;
    for (let i = 0; i <= p.overflow; i++) {
      if (this.reachable[id + i] === 1) {
        this.problem("PAGE_MULTIPLE_REFERENCES", id + i, `page ${id + i}: multiple references`);
        again = true;
      }
      this.reachable[id + i] = 1;
    }
    if (again) return;
    if (this.freed[id] === 1) this.problem("PAGE_REACHABLE_FREED", id, `page ${id}: reachable freed`);
    if (p.flags !== PageFlag.branch && p.flags !== PageFlag.leaf) {
      return this.problem("PAGE_INVALID_TYPE", id, `page ${id}: invalid type: ${pageTypeName(p.flags)}`);
    }
    const bad = validateElements(p);
    if (bad !== null) return this.problem("ELEMENT_OUT_OF_BOUNDS", id, `page ${id}: ${bad}`);
    if (p.flags === PageFlag.leaf) {
      await this.leaf(p, depth, min, max);
      this.leafDone?.();
      return;
    }
    for (let i = 0; i < p.count; i++) {
      const k: Key = { buf: p.buf, off: branchKeyOff(p, i), len: branchKeyLen(p, i) };
      this.order(
        p,
        i,
        k,
        i === 0 ? min : { buf: p.buf, off: branchKeyOff(p, i - 1), len: branchKeyLen(p, i - 1) },
        max,
      );
      const next =
        i + 1 < p.count ? { buf: p.buf, off: branchKeyOff(p, i + 1), len: branchKeyLen(p, i + 1) } : max;
      await this.tree(branchChild(p, i), depth, level + 1, k, next);
    }
  }

  private order(p: PageView, i: number, k: Key, prev: Key | null, max: Key | null): void {
    if (prev !== null) {
      const c = compareBytes(prev.buf, prev.off, prev.len, k.buf, k.off, k.len);
      if (i === 0 ? c > 0 : c >= 0) {
        this.problem("KEY_ORDER", p.id, `key[${i}] on ${pageTypeName(p.flags)} page ${p.id} is out of order`);
      }
    }
    if (max !== null && compareBytes(k.buf, k.off, k.len, max.buf, max.off, max.len) >= 0) {
      this.problem(
        "KEY_ORDER",
        p.id,
        `key[${i}] on ${pageTypeName(p.flags)} page ${p.id} is not below its parent's next key`,
      );
    }
  }

  private async leaf(p: PageView, depth: number, min: Key | null, max: Key | null): Promise<void> {
    const { buf, count } = p;
    let pOff = min?.off ?? 0;
    let pLen = min?.len ?? 0;
    let pBuf = min?.buf ?? buf;
    for (let i = 0; i < count; i++) {
      const kOff = leafKeyOff(p, i);
      const kLen = leafKeyLen(p, i);
      if (i > 0 || min !== null) {
        const c = compareBytes(pBuf, pOff, pLen, buf, kOff, kLen);
        if (i === 0 ? c > 0 : c >= 0) {
          this.problem("KEY_ORDER", p.id, `key[${i}] on leaf page ${p.id} is out of order`);
        }
      }
      if (max !== null && compareBytes(buf, kOff, kLen, max.buf, max.off, max.len) >= 0) {
        this.problem("KEY_ORDER", p.id, `key[${i}] on leaf page ${p.id} is not below its parent's next key`);
      }
      pBuf = buf;
      pOff = kOff;
      pLen = kLen;
      const vLen = leafValueLen(p, i);
      if ((leafFlags(p, i) & BUCKET_LEAF_FLAG) === 0) {
        this.visit(depth, buf, kOff, kLen, kOff + kLen, vLen, false);
        continue;
      }
      this.visit(depth, buf, kOff, kLen, kOff + kLen, vLen, true);
      let child: BucketRef;
      try {
        child = bucketRef(buf, p.dv, kOff + kLen, vLen);
      } catch (err) {
        if (!(err instanceof BoltError)) throw err;
        this.problem("BUCKET_INVALID", p.id, `bucket entry ${i} on page ${p.id}: ${err.message}`);
        continue;
      }
      await this.bucket(child, depth + 1);
    }
  }
}

interface Key {
  buf: Uint8Array;
  off: number;
  len: number;
}
