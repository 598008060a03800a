/**
 * The GPU solver's iteration loop: encodes planned submits of recorded
 * dispatches, reads back the measures and CD violations of each, applies the
 * stopping rule, and rolls W and H back when the rule stops a fit inside a
 * submit.
 *
 * Read-back layout (f32): SLOTS violation slots (CD only), then SLOTS measure
 * slots. Reductions write into the context's `work` buffer and each
 * iteration's results are copied from there into their slot, so one set of
 * bind groups serves every slot.
 */
import { encodeDispatches, type Dispatch } from '../gpu/kernel.ts';
import { readFloat32, writeBuffer } from '../gpu/resources.ts';
import type { CdIteration } from './gpu-cd.ts';
import type { SolverContext } from './gpu-context.ts';
import { decodeMeasure, sum, type MeasureDispatches } from './gpu-measure.ts';
import { planSubmit, type SubmitPlan } from './gpu-schedule.ts';
import { buildRecord, type IterationRecord } from './measures.ts';
import { PermutationStream } from './shuffle.ts';
import type { StoppingRule } from './stopping.ts';

/** Slots of the read-back buffer: measures and iterations per submit. */
export const SLOTS = 64;
/** Memory for the W and H copies a fit can roll back to. */
const SNAPSHOT_BYTES = 64 * 1024 * 1024;

export interface LoopOptions {
  /** Records every this many iterations (0: only the target). */
  recordEvery: number;
  iterationsPerSubmit?: number;
  onProgress?: (iteration: number, records: readonly IterationRecord[]) => void;
  signal?: AbortSignal;
}

export class IterationLoop {
  /** CD violation of the last iteration run. */
  lastViolation: number | undefined;
  private readonly results: GPUBuffer;
  private readonly orders: GPUBuffer | null;
  private readonly permutations: PermutationStream;
  private readonly snapshotSlots: number;
  private snapshots: GPUBuffer | null = null;

  constructor(
    private readonly ctx: SolverContext,
    private readonly iteration: readonly Dispatch[],
    private readonly cd: CdIteration | null,
    private readonly measures: MeasureDispatches,
  ) {
    const { resources, label, layout, rank, settings, v } = ctx;
    this.results = resources.storage(`${label}/results`, SLOTS * (layout.measureSize + layout.violationSize) * 4);
    this.orders = cd ? resources.storage(`${label}/orders`, SLOTS * 2 * rank * 4) : null;
    this.permutations = new PermutationStream(settings.seed, settings.shuffle);
    const factorBytes = (v.samples + v.features) * rank * 4;
    this.snapshotSlots = Math.max(1, Math.min(SLOTS, Math.floor(SNAPSHOT_BYTES / factorBytes)));
  }

  /** Measures the current W and H without running an iteration. */
  async measure(iteration: number): Promise<IterationRecord> {
    const { device, label, work, layout } = this.ctx;
    const encoder = device.createCommandEncoder({ label: `${label}/measure` });
    this.encodePass(encoder, this.measures.standalone, 'measure');
    device.queue.submit([encoder.finish()]);
    const values = await readFloat32(device, work, layout.measureSize);
    return buildRecord(iteration, decodeMeasure(this.ctx, values, 0), this.ctx.v.stats);
  }

  /**
   * Runs submits from `done` iterations until `target`, a stop by `rule` or
   * an abort. Returns the records taken and the iterations done, after any
   * roll-back.
   */
  async advance(done: number, target: number, options: LoopOptions, rule: StoppingRule | null): Promise<{ records: IterationRecord[]; done: number }> {
    const start = performance.now();
    const records: IterationRecord[] = [];
    const limits = {
      iterationsPerSubmit: Math.min(SLOTS, options.iterationsPerSubmit ?? 16),
      measureSlots: SLOTS,
      snapshotSlots: rule ? this.snapshotSlots : 0,
      recordEvery: options.recordEvery,
    };
    while (done < target && !options.signal?.aborted) {
      const plan = planSubmit(done, target, limits, rule);
      const submitStart = performance.now();
      const values = await this.submit(plan);
      const now = performance.now();
      const fresh: IterationRecord[] = [];
      let stoppedAt: number | null = null;

      for (let it = plan.first; it <= plan.end && stoppedAt === null; it++) {
        const violation = this.cd ? this.violationOf(values!, it - plan.first) : undefined;
        let stop = rule !== null && violation !== undefined && rule.observeViolation(it, violation);
        const slot = plan.measureAt.indexOf(it);
        if (slot >= 0) {
          const record = buildRecord(it, decodeMeasure(this.ctx, values!, this.measureOffset(slot)), this.ctx.v.stats, violation);
          record.seconds = (now - start) / 1000;
          record.secondsPerIteration = (now - submitStart) / 1000 / (plan.end - plan.first + 1);
          if (rule !== null && !stop && rule.needsLossAt(it)) stop = rule.observeLoss(it, record.loss);
          // A measure taken only for the MU check stays out of the records unless the fit stops there.
          const requested = (options.recordEvery > 0 && it % options.recordEvery === 0) || it === target || stop;
          if (requested) fresh.push(record);
        }
        if (violation !== undefined) this.lastViolation = violation;
        if (stop) stoppedAt = it;
      }

      if (stoppedAt !== null && stoppedAt < plan.end) this.restore(plan.snapshotAt.indexOf(stoppedAt));
      done = stoppedAt ?? plan.end;
      records.push(...fresh);
      options.onProgress?.(done, fresh);
      if (stoppedAt !== null) break;
    }
    return { records, done };
  }

  private encodePass(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[], name: string): void {
    const pass = encoder.beginComputePass({ label: `${this.ctx.label}/${name}` });
    encodeDispatches(pass, dispatches);
    pass.end();
  }

  /** Encodes and submits one planned submit; returns the read-back slots, or null when nothing was measured. */
  private async submit(plan: SubmitPlan): Promise<Float32Array | null> {
    const { device, layout, work, label } = this.ctx;
    const measureBase = this.measureOffset(0);
    if (this.cd) this.writeOrders(plan.end - plan.first + 1);

    const encoder = device.createCommandEncoder({ label: `${label}/iterations ${plan.first}-${plan.end}` });
    for (let it = plan.first; it <= plan.end; it++) {
      const slot = it - plan.first;
      if (this.cd && this.orders) {
        const orderBytes = this.ctx.rank * 4;
        encoder.copyBufferToBuffer(this.orders, slot * 2 * orderBytes, this.cd.orderW, 0, orderBytes);
        encoder.copyBufferToBuffer(this.orders, (slot * 2 + 1) * orderBytes, this.cd.orderH, 0, orderBytes);
      }
      this.encodePass(encoder, this.iteration, `iteration ${it}`);
      if (this.cd) {
        encoder.copyBufferToBuffer(work, layout.violationW * 4, this.results, slot * layout.violationSize * 4, layout.violationSize * 4);
      }
      const measureSlot = plan.measureAt.indexOf(it);
      if (measureSlot >= 0) {
        this.encodePass(encoder, this.measures.afterIteration, `measure ${it}`);
        encoder.copyBufferToBuffer(work, 0, this.results, this.measureOffset(measureSlot) * 4, layout.measureSize * 4);
      }
      const snapshotSlot = plan.snapshotAt.indexOf(it);
      if (snapshotSlot >= 0) this.encodeSnapshot(encoder, snapshotSlot, 'save');
    }
    device.queue.submit([encoder.finish()]);

    if (plan.measureAt.length === 0 && !this.cd) {
      await device.queue.onSubmittedWorkDone();
      return null;
    }
    return readFloat32(device, this.results, measureBase + plan.measureAt.length * layout.measureSize);
  }

  private measureOffset(slot: number): number {
    return SLOTS * this.ctx.layout.violationSize + slot * this.ctx.layout.measureSize;
  }

  private violationOf(values: Float32Array, slot: number): number {
    const size = this.ctx.layout.violationSize;
    return sum(values, slot * size, size);
  }

  /** Writes the component orders of the next `count` iterations, W's then H's for each, to the order table. */
  private writeOrders(count: number): void {
    const { rank, updateH, device } = this.ctx;
    const table = new Uint32Array(count * 2 * rank);
    for (let slot = 0; slot < count; slot++) {
      table.set(this.permutations.next(rank), slot * 2 * rank);
      if (updateH) table.set(this.permutations.next(rank), (slot * 2 + 1) * rank);
    }
    writeBuffer(device, this.orders!, table);
  }

  /** Copies W and H to snapshot `slot` (save) or back from it (restore). */
  private encodeSnapshot(encoder: GPUCommandEncoder, slot: number, direction: 'save' | 'restore'): void {
    const { W, H, rank, v, resources, label } = this.ctx;
    const wBytes = v.samples * rank * 4;
    const hBytes = rank * v.features * 4;
    this.snapshots ??= resources.storage(`${label}/snapshots`, this.snapshotSlots * (wBytes + hBytes));
    const base = slot * (wBytes + hBytes);
    if (direction === 'save') {
      encoder.copyBufferToBuffer(W, 0, this.snapshots, base, wBytes);
      encoder.copyBufferToBuffer(H, 0, this.snapshots, base + wBytes, hBytes);
    } else {
      encoder.copyBufferToBuffer(this.snapshots, base, W, 0, wBytes);
      encoder.copyBufferToBuffer(this.snapshots, base + wBytes, H, 0, hBytes);
    }
  }

  private restore(slot: number): void {
    if (slot < 0) throw new Error('the fit stopped at an iteration without a snapshot; planSubmit must snapshot every iteration the rule can stop at');
    const encoder = this.ctx.device.createCommandEncoder({ label: `${this.ctx.label}/roll back` });
    this.encodeSnapshot(encoder, slot, 'restore');
    this.ctx.device.queue.submit([encoder.finish()]);
  }
}
