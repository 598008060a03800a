// Packs the entries it receives with the browser decoder, to show that decoding needs no DOM.
import { createBrowserDecoder } from '../../src/data/decode-browser.ts';
import { packImages, type ImageEntry } from '../../src/data/pack.ts';

self.onmessage = async (event: MessageEvent<ImageEntry[]>) => {
  try {
    const { matrix, manifest } = await packImages(event.data, createBrowserDecoder(), { source: 'worker' });
    self.postMessage({ data: matrix.data, files: manifest.files, skipped: manifest.skipped });
  } catch (error) {
    self.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
};
