/**
 * Typed kernel descriptions and the one helper that sizes every dispatch.
 *
 * A description mirrors the header comment of its WGSL file. Pipelines are
 * built from it with an explicit bind group layout, so a debugger shows named
 * bindings, and with the workgroup size passed as WGSL `override` constants,
 * so the numbers live in one place.
 */

/** Buffer binding type of one kernel resource. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

export interface KernelDescription {
  /** Label prefix for the module, layouts and pipelines, e.g. `nmf/matmul`. */
  label: string;
  /** WGSL source with one `main` compute entry point. */
  source: string;
  /** Invocations per workgroup along x and y, passed as the `WORKGROUP_X`/`WORKGROUP_Y` overrides. */
  workgroupSize: readonly [number, number];
  /** Output elements one invocation computes along x and y (the register block). */
  elementsPerInvocation: readonly [number, number];
  /** Bindings of group 0, in binding order. */
  bindings: readonly BindingKind[];
}

/** Workgroup counts for `dispatchWorkgroups(x, y, z)`. */
export type DispatchSize = [number, number, number];

/**
 * Computes the workgroup counts that cover `width × height` output elements.
 *
 * Columns of workgroups beyond `maxComputeWorkgroupsPerDimension` fold into z,
 * so the kernel rebuilds its column index as
 * `id.x + id.z · num_workgroups.x · WORKGROUP_X`. Throws when the rows or the
 * fold still pass the limit, naming the kernel, the count and the limit,
 * because a silent clamp would leave part of the output unwritten.
 */
export function dispatchSize(
  kernel: Pick<KernelDescription, 'label' | 'workgroupSize' | 'elementsPerInvocation'>,
  width: number,
  height: number,
  maxWorkgroupsPerDimension: number,
): DispatchSize {
  const columns = Math.max(Math.ceil(width / (kernel.workgroupSize[0] * kernel.elementsPerInvocation[0])), 1);
  const y = Math.max(Math.ceil(height / (kernel.workgroupSize[1] * kernel.elementsPerInvocation[1])), 1);
  const x = Math.min(columns, maxWorkgroupsPerDimension);
  const z = Math.ceil(columns / x);
  for (const [axis, count] of [['y', y], ['z', z]] as const) {
    if (count > maxWorkgroupsPerDimension) {
      throw new RangeError(
        `${kernel.label}: a ${height} × ${width} output needs ${count} workgroups along ${axis}, but ` +
          `maxComputeWorkgroupsPerDimension is ${maxWorkgroupsPerDimension}. ` +
          'Use a smaller matrix or an adapter with a larger limit.',
      );
    }
  }
  return [x, y, z];
}

/**
 * Computes a 2-D dispatch for a 1-D kernel over `count` elements, folding
 * rows of at most `maxWorkgroupsPerDimension` workgroups. The kernel rebuilds
 * the flat index as `x + y * num_workgroups.x * WORKGROUP_X`.
 */
export function dispatchSizeLinear(
  kernel: Pick<KernelDescription, 'label' | 'workgroupSize' | 'elementsPerInvocation'>,
  count: number,
  maxWorkgroupsPerDimension: number,
): DispatchSize {
  const perWorkgroup = kernel.workgroupSize[0] * kernel.elementsPerInvocation[0];
  const groups = Math.max(Math.ceil(count / perWorkgroup), 1);
  const x = Math.min(groups, maxWorkgroupsPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxWorkgroupsPerDimension) {
    throw new RangeError(
      `${kernel.label}: ${count} elements need ${groups} workgroups, more than ` +
        `${maxWorkgroupsPerDimension}² can address. Split the input.`,
    );
  }
  return [x, y, 1];
}

const BUFFER_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  uniform: 'uniform',
  'read-only-storage': 'read-only-storage',
  storage: 'storage',
};

/** A compute pipeline with its bind group layout. */
export interface Kernel {
  description: KernelDescription;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const moduleCache = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

function shaderModule(device: GPUDevice, description: KernelDescription): GPUShaderModule {
  let modules = moduleCache.get(device);
  if (!modules) {
    modules = new Map();
    moduleCache.set(device, modules);
  }
  let module = modules.get(description.label);
  if (!module) {
    module = device.createShaderModule({ label: description.label, code: description.source });
    modules.set(description.label, module);
  }
  return module;
}

/**
 * Builds the pipeline of `description`, specialised by extra `override`
 * constants. `variant` names the specialisation in the pipeline's label.
 */
export function createKernel(
  device: GPUDevice,
  description: KernelDescription,
  constants: Record<string, number> = {},
  variant = '',
): Kernel {
  const label = variant ? `${description.label}/${variant}` : description.label;
  const layout = device.createBindGroupLayout({
    label: `${label}/bind-group-layout`,
    entries: description.bindings.map((kind, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: BUFFER_TYPE[kind] },
    })),
  });
  const pipeline = device.createComputePipeline({
    label,
    layout: device.createPipelineLayout({ label: `${label}/pipeline-layout`, bindGroupLayouts: [layout] }),
    compute: {
      module: shaderModule(device, description),
      entryPoint: 'main',
      constants: {
        WORKGROUP_X: description.workgroupSize[0],
        WORKGROUP_Y: description.workgroupSize[1],
        ...constants,
      },
    },
  });
  return { description, pipeline, layout };
}

/** Binds `buffers` to a kernel's bindings in order. */
export function bindBuffers(device: GPUDevice, kernel: Kernel, buffers: readonly GPUBuffer[], label: string): GPUBindGroup {
  if (buffers.length !== kernel.description.bindings.length) {
    throw new Error(
      `${label}: ${buffers.length} buffers given for ${kernel.description.bindings.length} bindings of ${kernel.description.label}`,
    );
  }
  return device.createBindGroup({
    label,
    layout: kernel.layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/** One recorded dispatch: a pipeline, its bind group and the workgroup counts. */
export interface Dispatch {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  size: DispatchSize;
}

/** Encodes `dispatches` in order into one compute pass. */
export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const { kernel, bindGroup, size } of dispatches) {
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(size[0], size[1], size[2]);
  }
}

/** Reads an integer `const NAME = 4u;` from WGSL source, so TypeScript never repeats it. */
export function wgslConstant(source: string, name: string): number {
  const match = new RegExp(`\\bconst\\s+${name}\\s*(?::\\s*\\w+\\s*)?=\\s*(\\d+)u?\\s*;`).exec(source);
  if (!match) throw new Error(`WGSL constant ${name} not found in shader source`);
  return Number(match[1]);
}
