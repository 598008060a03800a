/**
 * `catlab pack`: images → V.npy (uint8, samples × features) + manifest.json.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeNpyFile } from '../data/node.ts';
import { integerOption, requiredOption, UsageError } from './args.ts';
import { createOutputFolder } from './files.ts';
import { loadInput } from './input.ts';

const HELP = `usage: catlab pack <folder|zip> --out V.npy [--size 64] [--limit N]

  --out FILE    where to write the uint8 matrix; manifest.json goes beside it
  --size PX     side of the square images, in pixels (default 64); others are resized
  --limit N     use only the first N images in natural file-name order`;

export async function packCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      size: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one folder or .zip of images');
  const out = requiredOption('out', values.out);
  const size = values.size === undefined ? undefined : integerOption('size', values.size, 64, 1, 4096);
  const limit = integerOption('limit', values.limit, 0, 1) || undefined;

  if (out.endsWith('/')) throw new UsageError(`--out ${out} is a folder; give a file name such as ${out}V.npy`);
  await createOutputFolder(dirname(out) || '.', `the folder of --out`);
  const { matrix, manifest } = await loadInput(positionals[0], { size, limit });
  await writeNpyFile(out, matrix.data, [matrix.samples, matrix.features]);
  await writeFile(join(dirname(out), 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  process.stderr.write(`wrote ${out}: ${matrix.samples} images × ${matrix.features} pixels\n`);
}
