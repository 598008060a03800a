import { describe, expect, it } from 'vitest';
import { packFiles } from '../../src/worker/datasets/pack-files.ts';

describe('packFiles on zips', () => {
  it('names a non-zip .zip file', async () => {
    const entries = [{ name: 'bad.zip', blob: new Blob(['these bytes are not a zip archive']) }];
    await expect(packFiles(entries, { source: 'bad.zip', size: 8, onProgress: () => {} })).rejects.toThrow(
      'bad.zip is not a valid zip archive, because the name ends in .zip but the file lacks the zip signature. ' +
        'Open a zip archive of images or a folder of images.',
    );
  });
});
