/**
 * `catlab`: NMF on the GPU from the command line, through the same engine the
 * playground runs in the browser.
 */
import { UsageError } from './args.ts';
import { exportCommand } from './export.ts';
import { packCommand } from './pack.ts';
import { searchCommand } from './search.ts';
import { trainCommand } from './train.ts';

const USAGE = `usage: catlab <command> [options]

commands:
  pack <folder|zip> --out V.npy [--size 64] [--limit N]
      Decode a folder or .zip of JPEG/PNG images into a uint8 samples × features
      matrix (V.npy) and manifest.json beside it.

  train <folder|zip|V.npy> --rank R --max-iter N --out DIR [--tol T] [--seed S]
        [--solver mu|cd] [--beta B] [--init random|nndsvd|nndsvda|nndsvdar|custom]
        [--alpha-w A] [--alpha-h A|same] [--l1-ratio R] [--shuffle]
        [--limit N] [--size 64] [--loss-every K]
      Factor V ≈ W·H with scikit-learn's NMF options (multiplicative updates
      for any β-divergence, or coordinate descent) and write W.npy, H.npy,
      history.json and manifest.json to DIR.

  search --model DIR --query INDEX|IMAGE [-k 8] [--dissimilar] [--gpu]
      Print the cats of a trained model most (or least) similar to one of its
      rows or to an image file, by cosine similarity of the rows of W.

  export --model DIR --data <folder|zip|V.npy> --out BUNDLE [--max-thumbnail 32]
      Write a search bundle (manifest.json, W.npy, norms.npy, H.npy,
      sprite.png) for the <cat-search> element from a trained model and the
      images it was trained on.

Run 'catlab <command> --help' for a command's options.`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  pack: packCommand,
  train: trainCommand,
  search: searchCommand,
  export: exportCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name) {
    console.error(USAGE);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(await packageVersion());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`catlab: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`catlab ${name}: ${error.message}\nRun 'catlab ${name} --help' for its options.`);
      return 2;
    }
    console.error(`catlab ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.CATLAB_DEBUG && error instanceof Error) console.error(error.stack);
    return 1;
  }
}

async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

process.exitCode = await main(process.argv.slice(2));
