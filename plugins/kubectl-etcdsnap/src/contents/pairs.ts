// The mod revision of every user key on two sides (A and B), for a diff. What grows with the
// number of keys: one Map entry per distinct user key (its latin1 string and a slot number) plus
// two float64 slots; values are never held. A key's latest state on a side is known only once
// that side's whole key bucket has been walked (it is in revision order), hence the index.

const INITIAL_SLOTS = 1024;

export class RevisionPairs {
  private readonly slots = new Map<string, number>();
  private a = new Float64Array(INITIAL_SLOTS);
  private b = new Float64Array(INITIAL_SLOTS);

  /** Records `key` at `revision` on side A or B; 0 means deleted (revisions start at 1). */
  set(side: "a" | "b", key: string, revision: number): void {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      if (revision === 0) return;
      slot = this.slots.size;
      if (slot === this.a.length) this.grow();
      this.slots.set(key, slot);
    }
    (side === "a" ? this.a : this.b)[slot] = revision;
  }

  /** Every key seen on either side with its revision on each (0: absent). */
  *entries(): Generator<[key: string, a: number, b: number]> {
    for (const [key, slot] of this.slots) yield [key, this.a[slot] as number, this.b[slot] as number];
  }

  private grow(): void {
    for (const side of ["a", "b"] as const) {
      const bigger = new Float64Array(this[side].length * 2);
      bigger.set(this[side]);
      this[side] = bigger;
    }
  }
}
