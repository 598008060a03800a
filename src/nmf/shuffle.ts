/**
 * The component orders of coordinate descent with `shuffle`: one seeded
 * stream of permutations that the GPU solver and the CPU reference draw in
 * the same order (W's sweep, then H's, every iteration), so both visit the
 * components identically. The orders differ from scikit-learn's, whose
 * generator is NumPy's.
 */
import { createRandom, type Random } from './random.ts';

export class PermutationStream {
  private readonly random: Random | null;

  /** `shuffle` false gives the identity order every time. */
  constructor(seed: number, shuffle: boolean) {
    this.random = shuffle ? createRandom(seed) : null;
  }

  /** Returns the next order of 0 .. rank−1, shuffled by Fisher–Yates. */
  next(rank: number): Uint32Array {
    const order = Uint32Array.from({ length: rank }, (_, i) => i);
    if (!this.random) return order;
    for (let i = rank - 1; i > 0; i--) {
      const j = Math.floor(this.random.uniform() * (i + 1));
      const swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
