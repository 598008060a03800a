/**
 * The plan of one submit of the GPU solver: the iterations it covers and
 * those after which it measures and copies W and H. The planner is pure, so
 * the unit tests check its rules without a GPU.
 */
import type { StoppingRule } from './stopping.ts';

export interface SubmitPlan {
  first: number;
  /** Last iteration of the submit. */
  end: number;
  /** Iterations after which the submit measures, in order. */
  measureAt: number[];
  /** Iterations after which the submit copies W and H, in order, so a stop there can roll back to them. */
  snapshotAt: number[];
}

export interface ScheduleLimits {
  iterationsPerSubmit: number;
  /** Measure slots of the read-back buffer. */
  measureSlots: number;
  /** Snapshot slots; 0 when the fit needs none. */
  snapshotSlots: number;
  /** Records every this many iterations (0: none besides the target). */
  recordEvery: number;
}

/**
 * Plans the submit that starts after `done` iterations on the way to
 * `target`. Measures fall on multiples of `recordEvery`, on the target and
 * on the stopping rule's MU checks. The submit ends at its last measure, so
 * each record's time is its own, or earlier where the slots run out. A
 * snapshot follows every iteration at which the rule may stop the fit.
 */
export function planSubmit(done: number, target: number, limits: ScheduleLimits, rule: StoppingRule | null): SubmitPlan {
  const first = done + 1;
  const last = Math.min(target, done + Math.max(1, limits.iterationsPerSubmit));
  const measureAt: number[] = [];
  const snapshotAt: number[] = [];
  let end = last;
  for (let it = first; it <= last; it++) {
    const check = rule !== null && (rule.needsViolation || rule.needsLossAt(it));
    const measure = (limits.recordEvery > 0 && it % limits.recordEvery === 0) || it === target || (rule?.needsLossAt(it) ?? false);
    const fits = (!measure || measureAt.length < limits.measureSlots) && (!check || snapshotAt.length < limits.snapshotSlots);
    if (!fits) {
      end = it - 1;
      break;
    }
    if (measure) measureAt.push(it);
    if (check) snapshotAt.push(it);
  }
  if (end < first) {
    throw new Error('planSubmit: the first iteration needs a slot, but the limits give none; raise measureSlots and snapshotSlots above 0');
  }
  if (measureAt.length > 0) end = Math.min(end, measureAt[measureAt.length - 1]);
  return { first, end, measureAt, snapshotAt: snapshotAt.filter((it) => it <= end) };
}
