/**
 * Capability checks that name the limit, the value needed and the fix.
 */

/** Throws unless a binding of `bytes` fits `maxStorageBufferBindingSize` and `maxBufferSize`. */
export function checkBindingSize(limits: GPUSupportedLimits, what: string, bytes: number, fix: string): void {
  const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (bytes > max) {
    const limit = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new RangeError(`${what} needs a ${formatBytes(bytes)} buffer, but this adapter's ${limit} is ${formatBytes(max)}. ${fix}`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
