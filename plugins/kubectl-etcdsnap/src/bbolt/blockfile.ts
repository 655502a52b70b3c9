import type { FileHandle } from "node:fs/promises";

export interface Block {
  buf: Buffer;
  dv: DataView;
  /** File offset of buf[0]. */
  start: number;
}

export interface BlockFileOptions {
  /** Bytes per positioned read (default 4 MiB; fewer, larger buffers keep GC pressure low). */
  blockSize?: number;
  /** Most bytes of blocks kept (default 32 MiB); memory stays at this however large the file is. */
  cacheBytes?: number;
}

/**
 * Positioned reads of a file in large aligned blocks behind a bounded LRU cache, with one block of
 * read-ahead when access looks sequential. Block buffers are never reused, so views into them stay
 * valid for as long as the caller holds them.
 */
export class BlockFile {
  readonly blockSize: number;
  private readonly maxBlocks: number;
  private readonly cache = new Map<number, Block>();
  private readonly inflight = new Map<number, Promise<Block>>();
  private lastLoaded = -2;

  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    options: BlockFileOptions = {},
  ) {
    this.blockSize = options.blockSize ?? 4 << 20;
    this.maxBlocks = Math.max(2, Math.floor((options.cacheBytes ?? 32 << 20) / this.blockSize));
  }

  get cachedBlocks(): number {
    return this.cache.size;
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
    const b = await this.load(idx);
    if (idx === this.lastLoaded + 1) this.prefetch(idx + 1);
    this.lastLoaded = idx;
    return b;
  }

  /** Reads exactly [offset, offset+length) into a fresh buffer, bypassing the cache. */
  async readExact(offset: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafeSlow(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  private prefetch(idx: number): void {
    if (idx * this.blockSize >= this.size || this.cache.has(idx)) return;
    this.load(idx).catch(() => {});
  }

  private load(idx: number): Promise<Block> {
    let p = this.inflight.get(idx);
    if (p === undefined) {
      const start = idx * this.blockSize;
      const length = Math.max(0, Math.min(this.blockSize, this.size - start));
      p = this.readExact(start, length).then((buf) => {
        const b: Block = { buf, dv: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), start };
        this.inflight.delete(idx);
        this.cache.set(idx, b);
        while (this.cache.size > this.maxBlocks) {
          const oldest = this.cache.keys().next().value as number;
          this.cache.delete(oldest);
        }
        return b;
      });
      p.catch(() => this.inflight.delete(idx));
      this.inflight.set(idx, p);
    }
    return p;
  }
}
