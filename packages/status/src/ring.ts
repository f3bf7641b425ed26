/** The last `capacity` numbers pushed, in a fixed block of memory. */
export class Ring {
  private readonly values: Float64Array;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The `back`-th newest value: at(0) is the last pushed. */
  at(back: number): number {
    if (back < 0 || back >= this.count) throw new RangeError(`no value ${back} back`);
    return this.values[(this.next - 1 - back + this.capacity) % this.capacity]!;
  }

  /** Oldest first. */
  toArray(): number[] {
    const out = new Array<number>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.at(this.count - 1 - i);
    return out;
  }
}
