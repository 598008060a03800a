/**
 * `<cat-search>`: browse the samples of a search bundle and show the ones
 * most and least similar to a chosen query, by cosine similarity of the rows
 * of W. The bundle is written by `catlab export`; see src/search/bundle.ts.
 *
 * Everything that comes from the bundle (file names, the data set name) is
 * rendered through Lit text bindings, never parsed as HTML.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { reconstruct, type GrayPixels, type SearchBundle } from '../search/bundle.ts';
import { isNearDuplicate, type Neighbour } from '../search/engine.ts';
import type { CatMatch, CatSearchState, CatSelectDetail, ResultsChangeDetail } from './events.ts';
import { drawGray, spriteTile } from './gray-canvas.ts';
import { loadBundle } from './load-bundle.ts';
import { chooseEngine, cpuEngine, type Backend, type ChosenEngine } from './search-backend.ts';
import { catSearchStyles } from './styles.ts';

const NO_BUNDLE_MESSAGE = 'no bundle: set the src attribute to a folder written by catlab export';

/** Samples in each result list when the count attribute is absent or invalid. */
const DEFAULT_COUNT = 8;

/** Samples per page of the browsable grid. */
const GRID_PAGE_SIZE = 48;

/** Reconstructions kept for redraws; each costs features × rank multiply-adds to compute. */
const RECONSTRUCTION_CACHE_SIZE = 256;

/**
 * Similar-cat search over a bundle written by `catlab export`.
 *
 * @example
 * <script type="module" src="cat-search.js"></script>
 * <cat-search src="./bundle/" count="8"></cat-search>
 *
 * @fires cat-select - A query was chosen in the grid, in the results or by index. Detail: {@link CatSelectDetail}.
 * @fires results-change - New results are shown. Detail: {@link ResultsChangeDetail}.
 * @cssprop --cat-search-accent - Colour of the selection and of the copy marks.
 * @cssprop --cat-search-tile-size - Displayed side of every thumbnail and reconstruction.
 * @cssprop --cat-search-font - Font family.
 * @cssprop --cat-search-gap - Space between tiles and sections.
 * @cssprop --cat-search-text-color - Text colour.
 * @cssprop --cat-search-background - Background of the element.
 * @csspart status - Line with the loading state and the search engine in use.
 * @csspart query - The chosen sample and the index form.
 * @csspart results - Both result lists.
 * @csspart result - One sample in a result list.
 * @csspart thumbnail - Thumbnail image of a sample.
 * @csspart reconstruction - Reconstruction W·H of a sample.
 * @csspart similarity - Similarity value of a result.
 * @csspart grid - The browsable grid of all samples.
 * @csspart tile - One sample in the grid.
 */
export class CatSearch extends LitElement {
  static override properties = {
    src: { type: String },
    count: { type: Number },
    query: { type: Number },
    state: { state: true },
    message: { state: true },
    nearest: { state: true },
    farthest: { state: true },
    page: { state: true },
    inputError: { state: true },
  };

  static override styles = catSearchStyles;

  /**
   * URL of the bundle folder, relative to the page; the element fetches
   * manifest.json, W.npy, norms.npy, H.npy and sprite.png from it.
   *
   * @example
   * <cat-search src="https://example.org/cats-bundle/"></cat-search>
   */
  declare src: string;

  /**
   * Samples in each result list, most similar and most dissimilar.
   *
   * @example
   * <cat-search src="./bundle/" count="12"></cat-search>
   */
  declare count: number;

  /**
   * Index of the query sample, or undefined before one is chosen. Setting it
   * searches without firing `cat-select`, as setting an input's value fires no
   * input event.
   *
   * @example
   * document.querySelector('cat-search').query = 42;
   */
  declare query: number | undefined;

  declare private state: CatSearchState;
  declare private message: string;
  declare private nearest: CatMatch[];
  declare private farthest: CatMatch[];
  declare private page: number;
  declare private inputError: string;

  private loaded?: { src: string; bundle: SearchBundle; chosen: ChosenEngine; copyGroup: Map<number, readonly number[]> };
  /** The current load; aborted by `unload`, so late downloads and GPU failures of an old bundle are ignored. */
  private loading?: AbortController;
  /** The src of the last load started, failed ones included, so a failing src is not fetched again on every update. */
  private requestedSrc?: string;
  private searchToken = 0;
  private readonly reconstructions = new Map<number, GrayPixels>();
  private readonly drawn = new WeakMap<HTMLCanvasElement, string>();

  constructor() {
    super();
    this.src = '';
    this.count = DEFAULT_COUNT;
    this.query = undefined;
    this.state = 'idle';
    this.message = NO_BUNDLE_MESSAGE;
    this.nearest = [];
    this.farthest = [];
    this.page = 0;
    this.inputError = '';
  }

  /**
   * Engine the search runs on: `webgpu` when the browser gives a WebGPU
   * adapter, else `cpu`; undefined until the bundle has loaded.
   *
   * @example
   * if (element.backend === 'cpu') console.info('searching without WebGPU');
   */
  get backend(): Backend | undefined {
    return this.loaded?.chosen.backend;
  }

  /**
   * The loaded bundle, or undefined while loading or after an error.
   *
   * @example
   * element.bundle?.manifest.samples; // 15747
   */
  get bundle(): SearchBundle | undefined {
    return this.loaded?.bundle;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A reconnected element loads again, because disconnecting freed the engine.
    if (this.hasUpdated && this.requestedSrc === undefined) this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unload();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (this.src && this.src !== this.requestedSrc) void this.load(this.src);
    if (!this.src && this.requestedSrc !== undefined) this.unload();
    if (changed.has('query') && this.query !== undefined && this.loaded) this.checkQuery(this.loaded.bundle.manifest.samples);
  }

  /**
   * Quotes the attribute text behind a property that reads as NaN, because
   * Lit's Number converter turns text such as "abc" into NaN and the message
   * should show what the page wrote.
   */
  private attributeText(name: 'query' | 'count', value: number): string {
    const text = this.getAttribute(name);
    return Number.isNaN(value) && text !== null ? JSON.stringify(text) : String(value);
  }

  /** Clears a query that is not a sample of the bundle, naming it in the error line, else pages the grid to it. */
  private checkQuery(samples: number): void {
    const query = this.query;
    if (query === undefined) return;
    if (Number.isNaN(query)) {
      this.inputError = `query ${this.attributeText('query', query)} is invalid; give a sample index from 0 to ${samples - 1}`;
      this.query = undefined;
      return;
    }
    if (!Number.isSafeInteger(query) || query < 0 || query >= samples) {
      this.inputError = `query ${String(query)} is not a cat of this bundle; set an integer from 0 to ${samples - 1}`;
      this.query = undefined;
      return;
    }
    this.page = Math.floor(query / GRID_PAGE_SIZE);
  }

  override updated(changed: PropertyValues): void {
    const readyNow = changed.has('state') && this.state === 'ready';
    if (readyNow || changed.has('query') || changed.has('count')) void this.search();
    this.drawCanvases();
  }

  override render() {
    const bundle = this.loaded?.bundle;
    return html`
      <div part="status" class="status" role="status" data-state=${this.state} data-backend=${this.backend ?? nothing}>${this.message}</div>
      ${bundle ? html`${this.renderQuery(bundle)} ${this.renderResults()} ${this.renderGrid(bundle)}` : nothing}
    `;
  }

  private renderQuery(bundle: SearchBundle) {
    const { samples, files } = bundle.manifest;
    const index = this.query;
    const copies = index === undefined ? [] : (this.loaded?.copyGroup.get(index) ?? []).filter((other) => other !== index);
    return html`<section part="query" class="query" data-index=${index ?? nothing}>
      <form novalidate @submit=${this.onIndexSubmit}>
        <label>Cat index <input name="index" type="number" min="0" max=${samples - 1} step="1" required .value=${index === undefined ? '' : String(index)} /></label>
        <button type="submit">Search</button>
      </form>
      ${this.inputError ? html`<div class="error" role="alert">${this.inputError}</div>` : nothing}
      ${index === undefined
        ? html`<div class="caption">Choose a cat in the grid below or type its index (0 to ${samples - 1}).</div>`
        : html`<div class="pair">
              <canvas part="thumbnail" data-kind="thumbnail" data-index=${index}></canvas>
              <canvas part="reconstruction" data-kind="reconstruction" data-index=${index}></canvas>
            </div>
            <div class="caption">
              <div>#${index}: <span class="file">${files[index]}</span></div>
              ${copies.length > 0 ? html`<div>exact copies: ${copies.map((other) => `#${other}`).join(', ')}</div>` : nothing}
            </div>`}
    </section>`;
  }

  private renderResults() {
    if (this.query === undefined) return nothing;
    return html`<section part="results" class="results">
      <h3>Most similar</h3>
      <ol class="list" data-list="nearest">${this.nearest.map((match) => this.renderMatch(match))}</ol>
      <h3>Most dissimilar</h3>
      <ol class="list" data-list="farthest">${this.farthest.map((match) => this.renderMatch(match))}</ol>
    </section>`;
  }

  private renderMatch(match: CatMatch) {
    // An exact copy is also a near-duplicate; the stronger mark wins.
    let mark: 'exact-copy' | 'near-duplicate' | undefined;
    if (match.exactCopy) mark = 'exact-copy';
    else if (match.nearDuplicate) mark = 'near-duplicate';
    return html`<li
      part="result"
      class="result"
      tabindex="0"
      data-index=${match.index}
      data-mark=${mark ?? nothing}
      title=${match.file}
      @click=${() => this.choose(match.index)}
      @keydown=${(event: KeyboardEvent) => event.key === 'Enter' && this.choose(match.index)}
    >
      <canvas part="thumbnail" data-kind="thumbnail" data-index=${match.index}></canvas>
      <canvas part="reconstruction" data-kind="reconstruction" data-index=${match.index}></canvas>
      <span part="similarity" class="similarity">${match.similarity.toFixed(4)}</span>
      <span class="file">#${match.index} ${match.file}</span>
      ${mark ? html`<span class="badge" data-mark=${mark}>${mark === 'exact-copy' ? 'exact copy' : 'near-duplicate'}</span>` : nothing}
    </li>`;
  }

  private renderGrid(bundle: SearchBundle) {
    const { samples, files } = bundle.manifest;
    const pages = Math.ceil(samples / GRID_PAGE_SIZE);
    const first = this.page * GRID_PAGE_SIZE;
    const indices = Array.from({ length: Math.min(GRID_PAGE_SIZE, samples - first) }, (_, i) => first + i);
    return html`<section part="grid" class="browse">
      <div class="grid-nav">
        <button type="button" data-action="previous" ?disabled=${this.page === 0} @click=${() => (this.page -= 1)}>Previous</button>
        <span>cats ${first} to ${first + indices.length - 1} of ${samples}</span>
        <button type="button" data-action="next" ?disabled=${this.page >= pages - 1} @click=${() => (this.page += 1)}>Next</button>
      </div>
      <div class="grid">
        ${indices.map(
          (index) => html`<button
            type="button"
            part="tile"
            class="tile"
            data-index=${index}
            aria-pressed=${index === this.query ? 'true' : 'false'}
            aria-label=${`cat ${index}: ${files[index]}`}
            title=${files[index]}
            @click=${() => this.choose(index)}
          >
            <canvas data-kind="thumbnail" data-index=${index}></canvas>
          </button>`,
        )}
      </div>
    </section>`;
  }

  private onIndexSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const samples = this.loaded?.bundle.manifest.samples ?? 0;
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('index') as HTMLInputElement;
    const text = input.value.trim();
    const index = Number(text);
    if (!/^\d+$/.test(text) || index >= samples) {
      this.inputError = `index ${text || '(empty)'} is not a cat of this bundle; type an integer from 0 to ${samples - 1}`;
      return;
    }
    this.choose(index);
  }

  /** Makes `index` the query because the user chose it, and fires `cat-select`. */
  private choose(index: number): void {
    const bundle = this.loaded?.bundle;
    if (!bundle) return;
    this.inputError = '';
    this.query = index;
    const detail: CatSelectDetail = { index, file: bundle.manifest.files[index] };
    this.dispatchEvent(new CustomEvent('cat-select', { detail, bubbles: true, composed: true }));
  }

  private async load(src: string): Promise<void> {
    this.unload();
    const controller = new AbortController();
    this.loading = controller;
    this.requestedSrc = src;
    this.state = 'loading';
    this.message = `loading ${src}`;
    try {
      const bundle = await loadBundle(src, controller.signal);
      const { samples, rank, dataset } = bundle.manifest;
      const chosen = await chooseEngine(bundle.normalizedW, samples, rank, (message) => this.switchToCpu(controller, message));
      if (controller.signal.aborted) {
        chosen.destroy();
        return;
      }
      const copyGroup = new Map<number, readonly number[]>();
      for (const group of bundle.manifest.copies) for (const index of group) copyGroup.set(index, group);
      this.loaded = { src, bundle, chosen, copyGroup };
      this.page = 0;
      this.checkQuery(samples);
      this.state = 'ready';
      this.message = `${dataset}: ${samples} cats, rank ${rank}; searching on ${chosen.description}`;
    } catch (error) {
      if (controller.signal.aborted) return;
      this.state = 'error';
      this.message = `failed to load the bundle at ${src}: ${(error as Error).message}`;
    }
  }

  /** Replaces a failed WebGPU engine with the CPU one, unless `load` of another bundle has started since. */
  private switchToCpu(load: AbortController, message: string): void {
    const loaded = this.loaded;
    if (load.signal.aborted || !loaded || loaded.chosen.backend !== 'webgpu') return;
    loaded.chosen.destroy();
    const { samples, rank, dataset } = loaded.bundle.manifest;
    loaded.chosen = cpuEngine(loaded.bundle.normalizedW, samples, rank, `the WebGPU device failed: ${message}`);
    this.message = `${dataset}: ${samples} cats, rank ${rank}; searching on ${loaded.chosen.description}`;
    void this.search();
  }

  private unload(): void {
    this.loading?.abort();
    this.loading = undefined;
    this.requestedSrc = undefined;
    this.loaded?.chosen.destroy();
    this.loaded = undefined;
    this.reconstructions.clear();
    this.nearest = [];
    this.farthest = [];
    this.searchToken++;
    this.state = 'idle';
    this.message = NO_BUNDLE_MESSAGE;
  }

  private async search(): Promise<void> {
    const loaded = this.loaded;
    const query = this.query;
    if (!loaded || query === undefined) return;
    const token = ++this.searchToken;
    const countIsValid = Number.isSafeInteger(this.count) && this.count > 0;
    const k = countIsValid ? this.count : DEFAULT_COUNT;
    this.inputError = countIsValid ? '' : `count ${this.attributeText('count', this.count)} is invalid, so ${DEFAULT_COUNT} cats are shown; set count to an integer of at least 1`;
    try {
      const [result] = await loaded.chosen.engine.search([query], { k, dissimilar: true });
      if (token !== this.searchToken) return;
      if (result.invalidQuery) {
        const reason = result.invalidQuery === 'zero' ? 'is all zeros, so it has no direction' : 'contains NaN or Infinity';
        this.inputError = `cat ${query}'s row of W ${reason}; choose another cat`;
      }
      const toMatch = (neighbour: Neighbour): CatMatch => ({
        ...neighbour,
        file: loaded.bundle.manifest.files[neighbour.index],
        exactCopy: loaded.copyGroup.get(query)?.includes(neighbour.index) ?? false,
        nearDuplicate: isNearDuplicate(neighbour.similarity),
      });
      this.nearest = result.nearest.map(toMatch);
      this.farthest = result.farthest.map(toMatch);
      const detail: ResultsChangeDetail = { query, nearest: this.nearest, farthest: this.farthest };
      this.dispatchEvent(new CustomEvent('results-change', { detail, bubbles: true, composed: true }));
    } catch (error) {
      if (token !== this.searchToken) return;
      this.inputError = `search for cat ${query} failed: ${(error as Error).message}`;
    }
  }

  /** Draws every canvas whose sample or kind changed since its last draw. */
  private drawCanvases(): void {
    const bundle = this.loaded?.bundle;
    if (!bundle) return;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-kind]')) {
      const index = Number(canvas.dataset.index);
      const key = `${canvas.dataset.kind}:${index}`;
      if (this.drawn.get(canvas) === key) continue;
      drawGray(canvas, canvas.dataset.kind === 'reconstruction' ? this.reconstruction(bundle, index) : spriteTile(bundle, index));
      this.drawn.set(canvas, key);
    }
  }

  private reconstruction(bundle: SearchBundle, index: number): GrayPixels {
    let image = this.reconstructions.get(index);
    if (!image) {
      if (this.reconstructions.size >= RECONSTRUCTION_CACHE_SIZE) this.reconstructions.clear();
      const { imageWidth, imageHeight } = bundle.manifest;
      image = { width: imageWidth, height: imageHeight, data: reconstruct(bundle, index) };
      this.reconstructions.set(index, image);
    }
    return image;
  }
}

if (!customElements.get('cat-search')) customElements.define('cat-search', CatSearch);

declare global {
  interface HTMLElementTagNameMap {
    'cat-search': CatSearch;
  }
  interface HTMLElementEventMap {
    'cat-select': CustomEvent<CatSelectDetail>;
    'results-change': CustomEvent<ResultsChangeDetail>;
  }
}
