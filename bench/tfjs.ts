/**
 * TensorFlow.js's side of the benchmark: its WebGPU backend on catlab's Dawn
 * instance, where it requests the same high-performance adapter as catlab.
 *
 * TF.js has no 8-bit matrix product, so V is a float32 tensor of values / 255,
 * and transposes go through `tf.matMul`'s transpose flags, as a TF.js user
 * would write them.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { EPSILON } from '../src/nmf/reference.ts';
import { vAsFloat32, type NmfInputs } from './nmf-inputs.ts';
import { exposeAsNavigatorGpu } from './node-gpu.ts';
import type { ProductName, ProductRunner } from './products.ts';

export interface TfjsRuntime {
  tf: typeof TfCore;
  backend: WebGPUBackend;
  /** The adapter TF.js reports, e.g. `google swiftshader`. */
  adapterName: string;
  /** Submits every command TF.js has recorded and resolves once the GPU has finished them. */
  flush(): Promise<void>;
}

/**
 * Starts TF.js's WebGPU backend on `gpu`.
 *
 * The backend registers itself on import only if `navigator.gpu` exists, so
 * it is imported here, after `navigator.gpu` is set, and not at the top.
 */
export async function startTfjs(gpu: GPU): Promise<TfjsRuntime> {
  exposeAsNavigatorGpu(gpu);
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  // setBackend logs the cause of a failure as a warning and returns false.
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error('TensorFlow.js could not start its webgpu backend; its warning above gives the cause');
  }
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  // TF.js 4.22 declares these AdapterInfo fields private, but they hold the adapter's own strings.
  const info = backend.adapterInfo as unknown as { vendor?: string; architecture?: string };
  const adapterName = [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';

  return {
    tf,
    backend,
    adapterName,
    async flush() {
      // TF.js batches dispatches into one command encoder and submits every
      // WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE (15) of them. These are the calls
      // its own read-back makes before it copies a result out.
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await backend.device.queue.onSubmittedWorkDone();
    },
  };
}

/** NMF operands as TF.js tensors. */
export interface TfjsOperands {
  V: TfCore.Tensor2D;
  W: TfCore.Tensor2D;
  H: TfCore.Tensor2D;
  WtW: TfCore.Tensor2D;
  HHt: TfCore.Tensor2D;
}

/** Creates the operands, uploads them and returns them with the bytes V takes on the GPU. */
export function uploadOperands(runtime: TfjsRuntime, inputs: NmfInputs): { operands: TfjsOperands; vBytes: number } {
  const { tf, backend } = runtime;
  const { samples, features, rank } = inputs.shape;
  const operands: TfjsOperands = {
    V: tf.tensor2d(vAsFloat32(inputs.v), [samples, features]),
    W: tf.tensor2d(inputs.W, [samples, rank]),
    H: tf.tensor2d(inputs.H, [rank, features]),
    WtW: tf.tensor2d(inputs.WtW, [rank, rank]),
    HHt: tf.tensor2d(inputs.HHt, [rank, rank]),
  };
  // Tensors reach the GPU lazily; uploading V alone measures what it takes there.
  const before = backend.memory().numBytesInGPU;
  backend.uploadToGPU(operands.V.dataId);
  const vBytes = backend.memory().numBytesInGPU - before;
  for (const name of ['W', 'H', 'WtW', 'HHt'] as const) backend.uploadToGPU(operands[name].dataId);
  return { operands, vBytes };
}

/** Returns the six products in TF.js as functions that each compute a new tensor. */
export function tfjsProducts(tf: typeof TfCore, x: TfjsOperands): Record<ProductName, () => TfCore.Tensor2D> {
  return {
    'Wᵀ·V': () => tf.matMul(x.W, x.V, true, false),
    'V·Hᵀ': () => tf.matMul(x.V, x.H, false, true),
    'Wᵀ·W': () => tf.matMul(x.W, x.W, true, false),
    'H·Hᵀ': () => tf.matMul(x.H, x.H, false, true),
    '(WᵀW)·H': () => tf.matMul(x.WtW, x.H),
    'W·(HHᵀ)': () => tf.matMul(x.W, x.HHt),
  };
}

/**
 * Wraps a TF.js product for timing: `repetitions` calls, each result
 * disposed at once (TF.js keeps its buffer alive until the commands that
 * use it are submitted), then one flush.
 */
export function tfjsRunner(runtime: TfjsRuntime, product: () => TfCore.Tensor): ProductRunner {
  return {
    async run(repetitions) {
      for (let i = 0; i < repetitions; i++) product().dispose();
      await runtime.flush();
    },
    async read() {
      const result = product();
      try {
        return (await result.data()) as Float32Array;
      } finally {
        result.dispose();
      }
    },
  };
}

interface Factors {
  W: TfCore.Tensor2D;
  H: TfCore.Tensor2D;
}

/**
 * Runs one Lee–Seung iteration for the Frobenius loss in TF.js: W first and
 * then H, as GpuNmf orders them, with each denominator floored at ε as
 * shaders/mu_update.wgsl floors it.
 */
function tfjsIteration(tf: typeof TfCore, V: TfCore.Tensor2D, epsilon: TfCore.Scalar, { W, H }: Factors): Factors {
  return tf.tidy(() => {
    const hht = tf.matMul(H, H, false, true);
    const nextW = tf.mul(W, tf.div(tf.matMul(V, H, false, true), tf.maximum(tf.matMul(W, hht), epsilon))) as TfCore.Tensor2D;
    const wtw = tf.matMul(nextW, nextW, true, false);
    const nextH = tf.mul(H, tf.div(tf.matMul(nextW, V, true, false), tf.maximum(tf.matMul(wtw, H), epsilon))) as TfCore.Tensor2D;
    return { W: nextW, H: nextH };
  });
}

/**
 * Uploads V, W and H and returns TF.js's MU state with a `run` that does
 * `iterations` more iterations and waits for the GPU to finish them.
 */
export function tfjsSolver(runtime: TfjsRuntime, inputs: NmfInputs) {
  const { tf } = runtime;
  const { operands } = uploadOperands(runtime, inputs);
  tf.dispose([operands.WtW, operands.HHt]);
  const epsilon = tf.scalar(EPSILON);
  let factors: Factors = { W: operands.W, H: operands.H };
  return {
    async run(iterations: number) {
      for (let i = 0; i < iterations; i++) {
        const next = tfjsIteration(tf, operands.V, epsilon, factors);
        tf.dispose([factors.W, factors.H]);
        factors = next;
      }
      await runtime.flush();
    },
    async read() {
      return { W: (await factors.W.data()) as Float32Array, H: (await factors.H.data()) as Float32Array };
    },
    dispose() {
      tf.dispose([operands.V, epsilon, factors.W, factors.H]);
    },
  };
}
