/**
 * File access for the commands, with file-system errors turned into
 * messages that name the option or the file's role and the fix.
 */
import { mkdir } from 'node:fs/promises';
import { readNpyFile } from '../data/node.ts';
import type { NpyArray } from '../data/npy.ts';
import { UsageError } from './args.ts';

/** Creates `folder` for an output option before any work, so a bad path fails at once and not after training. */
export async function createOutputFolder(folder: string, option: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError(`${option} ${folder} cannot be created as a folder (${code}); choose a folder path you can write to`);
  }
}

/** Reads a .npy file given by the user; `what` names its role, e.g. `initial W (--init-w)`. */
export async function readUserNpy(path: string, what: string): Promise<NpyArray> {
  try {
    return await readNpyFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${what} not found: ${path}`);
    if (code === 'EISDIR') throw new Error(`${what} ${path} is a folder; give a .npy file`);
    throw error;
  }
}
