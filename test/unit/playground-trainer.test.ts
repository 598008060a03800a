import { describe, expect, it } from 'vitest';
import type { U8Matrix } from '../../src/nmf/matrix.ts';
import { EventType, type LossesEvent, type PollCursor, type SnapshotEvent, type WorkerEvent } from '../../src/worker/protocol.ts';
import { createCpuSolver } from '../../src/worker/solver.ts';
import { Trainer, type TrainerHost } from '../../src/worker/trainer.ts';

function randomMatrix(samples: number, features: number, seed: number): U8Matrix {
  let state = seed;
  const data = Uint8Array.from({ length: samples * features }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % 256;
  });
  return { samples, features, data };
}

const cpuHost: TrainerHost = {
  createSolver: async (v, start) => createCpuSolver(v, start),
  isDeviceLoss: async () => false,
};

async function trainerOn(v: U8Matrix, host = cpuHost): Promise<Trainer> {
  const trainer = new Trainer(host, { rank: 3, seed: 7, iterationsPerUpdate: 2, maxIterations: 1000 });
  await trainer.setData({ matrix: v, width: 4, height: 4 });
  return trainer;
}

const origin: PollCursor = { run: 0, losses: 0, snapshot: 0, errors: 0 };

function ofType<T extends WorkerEvent['type']>(events: WorkerEvent[], type: T): Extract<WorkerEvent, { type: T }>[] {
  return events.filter((event): event is Extract<WorkerEvent, { type: T }> => event.type === type);
}

describe('playground trainer on the CPU engine', () => {
  const v = randomMatrix(12, 16, 3);

  it('step N runs exactly N iterations', async () => {
    const trainer = await trainerOn(v);
    expect(await trainer.step(5)).toBe(5);
    expect(await trainer.step(1)).toBe(6);
    expect(trainer.history.map((point) => point.iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trainer.state).toBe('paused');
  });

  it('pause keeps every iteration run', async () => {
    const trainer = await trainerOn(v);
    await trainer.configure({ maxIterations: 1e9 });
    await trainer.play();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const paused = await trainer.pause();
    expect(paused).toBeGreaterThan(0);
    expect(trainer.state).toBe('paused');
    expect(trainer.history).toHaveLength(paused);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(trainer.iteration).toBe(paused);
  });

  it('reset reproduces the same losses', async () => {
    const trainer = await trainerOn(v);
    await trainer.step(8);
    const first = trainer.history.map((point) => point.loss);
    const run = trainer.run;
    await trainer.reset();
    expect(trainer.run).toBe(run + 1);
    expect(trainer.iteration).toBe(0);
    await trainer.step(8);
    expect(trainer.history.map((point) => point.loss)).toEqual(first);
    expect(first[7]).toBeLessThan(first[0]);
  });

  it('training stops at maxIterations', async () => {
    const trainer = await trainerOn(v);
    await trainer.configure({ maxIterations: 4 });
    await trainer.play();
    while (trainer.state === 'training') await new Promise((resolve) => setTimeout(resolve, 5));
    expect(trainer.iteration).toBe(4);
    expect(trainer.state).toBe('done');
  });

  it('a new rank starts a new run', async () => {
    const trainer = await trainerOn(v);
    await trainer.step(3);
    await trainer.configure({ rank: 2 });
    expect(trainer.iteration).toBe(0);
    expect(trainer.history).toHaveLength(0);
    expect(trainer.backup?.H).toHaveLength(2 * 16);
  });

  it('rejects a rank above min(samples, features)', async () => {
    const trainer = await trainerOn(v);
    await expect(trainer.configure({ rank: 13 })).rejects.toThrow(/rank 13 is invalid/);
    expect(trainer.settings.rank).toBe(3);
  });

  it('rejects every invalid rank alike', async () => {
    const trainer = await trainerOn(v);
    for (const rank of [0, -3, 2.5, 13, 99999]) {
      await expect(trainer.configure({ rank })).rejects.toThrow(
        `rank ${rank} is invalid for 12 samples × 16 features; choose an integer from 1 to 12 (min(samples, features))`,
      );
      expect(trainer.settings.rank).toBe(3);
    }
  });

  it('rejects a fractional rank before data', async () => {
    const trainer = new Trainer(cpuHost, { rank: 3, seed: 7, iterationsPerUpdate: 2, maxIterations: 1000 });
    await expect(trainer.configure({ rank: 2.5 })).rejects.toThrow(/rank 2.5 is invalid; choose an integer from 1/);
    expect(trainer.settings.rank).toBe(3);
  });

  it('polls send losses incrementally and each snapshot once', async () => {
    const trainer = await trainerOn(v);
    await trainer.step(3);
    const first = trainer.eventsSince(origin).events;
    const losses = ofType(first, EventType.losses)[0] as LossesEvent;
    const snapshot = ofType(first, EventType.snapshot)[0] as SnapshotEvent;
    expect(losses.points.map((point) => point.iteration)).toEqual([1, 2, 3]);
    expect(snapshot.iteration).toBe(3);
    expect(snapshot.H).toHaveLength(3 * 16);
    expect(snapshot.reconstructions).toHaveLength(snapshot.samples.length * 16);

    const cursor: PollCursor = { run: losses.run, losses: 3, snapshot: snapshot.sequence, errors: 0 };
    expect(trainer.eventsSince(cursor).events).toEqual([]);
    await trainer.step(2);
    const next = trainer.eventsSince(cursor).events;
    expect(ofType(next, EventType.losses)[0].from).toBe(3);
    expect(ofType(next, EventType.losses)[0].points).toHaveLength(2);
    expect(ofType(next, EventType.snapshot)[0].iteration).toBe(5);
  });

  it('device loss keeps the snapshot and resume continues from it', async () => {
    const trainer = await trainerOn(v);
    await trainer.step(4);
    const kept = trainer.backup!;
    await trainer.step(2);
    // The snapshot after step(2) is the one kept.
    expect(trainer.backup!.iteration).toBe(6);
    trainer.deviceLost(new Error('GPU device lost (destroyed)'));
    expect(trainer.state).toBe('device-lost');
    const errors = ofType(trainer.eventsSince(origin).events, EventType.error);
    expect(errors).toHaveLength(1);
    expect(errors[0].recovery).toBe('resume');
    expect(errors[0].error.message).toMatch(/iteration 6 are kept/);
    await expect(trainer.step(1)).rejects.toThrow(/resume/);

    await trainer.resume();
    await trainer.pause();
    expect(trainer.history[5].iteration).toBe(6);
    expect(trainer.iteration).toBeGreaterThanOrEqual(6);
    expect(kept.iteration).toBe(4);
  });
});
