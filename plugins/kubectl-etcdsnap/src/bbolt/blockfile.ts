import type { FileHandle } from "node:fs/promises";

export interface Block {
  buf: Buffer;
  dv: DataView;
  /** File offset of buf[0]. */
  start: number;
  /** Views a scan holds now (see pin/unpin). */
  pins: number;
  /** Handed out without a pin: its buffer is never reused. */
  kept: boolean;
  evicted: boolean;
}

export interface BlockFileOptions {
  /** Bytes per positioned read (default 4 MiB; fewer, larger buffers keep GC pressure low). */
  blockSize?: number;
  /** Most bytes of blocks kept (default 32 MiB); memory stays at this however large the file is. */
  cacheBytes?: number;
  /** Blocks in SharedArrayBuffers, so a worker thread can read them too (see trailer.ts). */
  shared?: boolean;
  /**
   * For a file that is still being written: resolves once bytes [0, end) are in it (rejects when
   * they never will be). Every read waits for it, so a scan can follow a download.
   */
  written?: (end: number) => Promise<void>;
}

/** Evicted buffers kept for the next reads: a fresh 4 MiB buffer per read costs page faults and GC. */
const FREE_BUFFERS = 4;

/**
 * A consumer that must see every block once, in file order (the sha256 worker of trailer.ts).
 * accept() resolves when the sink has room for another block; it may pin the block meanwhile.
 */
export interface BlockSink {
  accept(b: Block): Promise<void>;
}

/**
 * How far ahead of the blocks fed to a sink a read may be and still advance the feed: a scan in
 * key order mostly moves forward through a snapshot in small skips, and the blocks skipped over are
 * fed (and cached) on the way. A read further ahead (a bucket's root page, rewritten at the end
 * of the file by every commit) is read on its own and fed later.
 */
const FEED_WINDOW = 8;
/** Blocks fed beyond the one a read asked for. */
const FEED_AHEAD = 4;

/**
 * Positioned reads of a file in large aligned blocks behind a bounded LRU cache, with one block of
 * read-ahead when access looks sequential. A block handed out by block()/cached() keeps its buffer
 * for as long as anyone holds a view. A scan that pins blocks instead (pin/unpin) lets an evicted
 * block's buffer be read into again once its last pin is gone.
 */
export class BlockFile {
  readonly blockSize: number;
  private readonly maxBlocks: number;
  private readonly cache = new Map<number, Block>();
  private readonly inflight = new Map<number, Promise<Block>>();
  private readonly free: Buffer[] = [];
  private readonly shared: boolean;
  private readonly written: ((end: number) => Promise<void>) | undefined;
  private lastLoaded = -2;
  private sink: BlockSink | undefined;
  /** Blocks [0, fed) went to the sink. */
  private fed = 0;
  private feeding: Promise<void> = Promise.resolve();
  /** The file offset each buffer handed out was read from. */
  private readonly origin = new WeakMap<Uint8Array, number>();

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    options: BlockFileOptions = {},
  ) {
    this.blockSize = options.blockSize ?? 4 << 20;
    this.maxBlocks = Math.max(2, Math.floor((options.cacheBytes ?? 32 << 20) / this.blockSize));
    this.shared = options.shared === true;
    this.written = options.written;
  }

  /**
   * Hands every block to `sink` once, in file order, from the reads the caller makes anyway (so a
   * file is read once for both); feedRest() then reads and hands over whatever was not read.
   */
  feed(sink: BlockSink): void {
    this.sink = sink;
  }

  /** Feeds the sink the blocks not fed yet; a read error rejects. */
  feedRest(): Promise<void> {
    return this.feedTo(Number.MAX_SAFE_INTEGER);
  }

  private feedTo(upTo: number): Promise<void> {
    const last = Math.min(upTo, Math.ceil(this.size / this.blockSize) - 1);
    this.feeding = this.feeding.then(async () => {
      const sink = this.sink;
      while (sink !== undefined && this.fed <= last) {
        const idx = this.fed;
        const b = this.cache.get(idx) ?? (await this.load(idx));
        this.fed = idx + 1;
        await sink.accept(b);
      }
    });
    return this.feeding;
  }

  get cachedBlocks(): number {
    return this.cache.size;
  }

  /** Marks a block as in use by a scan until unpin; a pinned block's buffer is not reused. */
  pin(b: Block): void {
    b.pins++;
  }

  unpin(b: Block): void {
    b.pins--;
    if (b.pins === 0 && b.evicted) this.recycle(b);
  }

  /** Marks a block whose views are handed out without a pin: its buffer is never reused. */
  keep(b: Block): void {
    b.kept = true;
  }

  /** The cached block holding `offset`, or undefined (no I/O). */
  cached(offset: number): Block | undefined {
    const idx = Math.floor(offset / this.blockSize);
    const b = this.cache.get(idx);
    if (b !== undefined && this.cache.size > this.maxBlocks / 2) {
      // Refresh recency only when eviction is plausible; a Map re-insert per page costs time.
      this.cache.delete(idx);
      this.cache.set(idx, b);
    }
    return b;
  }

  async block(offset: number): Promise<Block> {
    const idx = Math.floor(offset / this.blockSize);
    const hit = this.cache.get(idx);
    if (hit !== undefined) return hit;
    if (this.sink !== undefined && idx >= this.fed && idx - this.fed < FEED_WINDOW) {
      await this.feedTo(idx);
      // Keeps the sink busy while the caller works on this block.
      this.feedTo(idx + FEED_AHEAD).catch(() => {});
      const fed = this.cache.get(idx);
      if (fed !== undefined) return fed;
    }
    const b = await this.load(idx);
    if (idx === this.lastLoaded + 1) this.prefetch(idx + 1);
    this.lastLoaded = idx;
    return b;
  }

  /**
   * Bytes [offset, offset+length) that straddle blocks, copied out of the blocks (read as block()
   * reads them, so sequential read-ahead covers them) rather than read again on their own.
   */
  async span(offset: number, length: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const at = offset + done;
      const b = this.cached(at) ?? (await this.block(at));
      const from = at - b.start;
      const n = Math.min(length - done, b.buf.length - from);
      if (n <= 0) break;
      b.buf.copy(out, done, from, from + n);
      done += n;
    }
    const read = done === length ? out : out.subarray(0, done);
    this.origin.set(read, offset);
    return read;
  }

  /** The file offset of buf[0], for a buffer this file read (a block's or readExact's). */
  offsetOf(buf: Uint8Array): number | undefined {
    return this.origin.get(buf);
  }

  /** Reads exactly [offset, offset+length) into a fresh buffer, bypassing the cache. */
  async readExact(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const buf = into !== undefined && into.length === length ? into : Buffer.allocUnsafeSlow(length);
    if (this.written !== undefined) await this.written(Math.min(offset + length, this.size));
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    const read = done === length ? buf : buf.subarray(0, done);
    this.origin.set(read, offset);
    return read;
  }

  private recycle(b: Block): void {
    if (!b.kept && b.buf.length === this.blockSize && this.free.length < FREE_BUFFERS) this.free.push(b.buf);
  }

  private prefetch(idx: number): void {
    if (idx * this.blockSize >= this.size || this.cache.has(idx)) return;
    (this.sink !== undefined && idx === this.fed ? this.feedTo(idx) : this.load(idx)).catch(() => {});
  }

  private load(idx: number): Promise<Block> {
    let p = this.inflight.get(idx);
    if (p === undefined) {
      const start = idx * this.blockSize;
      const length = Math.max(0, Math.min(this.blockSize, this.size - start));
      let into = length === this.blockSize ? this.free.pop() : undefined;
      if (into === undefined && this.shared) into = Buffer.from(new SharedArrayBuffer(length));
      p = this.readExact(start, length, into).then((buf) => {
        const b: Block = {
          buf,
          dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength),
          start,
          pins: 0,
          kept: false,
          evicted: false,
        };
        this.inflight.delete(idx);
        this.cache.set(idx, b);
        while (this.cache.size > this.maxBlocks) {
          const oldest = this.cache.keys().next().value as number;
          const old = this.cache.get(oldest) as Block;
          this.cache.delete(oldest);
          old.evicted = true;
          if (old.pins === 0) this.recycle(old);
        }
        return b;
      });
      p.catch(() => this.inflight.delete(idx));
      this.inflight.set(idx, p);
    }
    return p;
  }
}
