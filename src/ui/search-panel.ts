/**
 * `<search-panel>`: the samples most and least similar to a query, by
 * cosine similarity of their rows of W, each original above its
 * reconstruction. The query is a sample, clicked in the reconstructions,
 * among a component's top samples or among the results, or typed as an
 * index. It can also be an uploaded photo. Results follow training: after
 * each new snapshot the panel requests the results again, at most once a
 * second.
 *
 * @example
 * panel.searchSource = (request) => api.search(request);
 * panel.exportSource = () => api.exportBundle();
 * panel.searchFor({ index: 3 });
 */
import { css, html, LitElement, nothing } from 'lit';
import type { BundleExport, SearchHit, SearchQuery, SearchRequest, SearchResponse } from '../worker/protocol.ts';
import { drawImage } from './draw-image.ts';

/** Minimum time between two searches that snapshots trigger, in milliseconds. */
const REFRESH_INTERVAL_MS = 1000;
/** Choices of results per list. */
const RESULT_COUNTS = [4, 8, 16, 32];
export const DEFAULT_RESULT_COUNT = 8;

export class SearchPanel extends LitElement {
  static override properties = {
    count: { state: true },
    result: { state: true },
    error: { state: true },
    exportMessage: { state: true },
    samples: { attribute: false },
  };

  static override styles = css`
    :host { display: block; }
    .controls { display: flex; gap: 1em; align-items: center; flex-wrap: wrap; font-size: 0.9em; margin-bottom: 0.4em; }
    input[type=number] { width: 6em; }
    .row { display: flex; gap: 6px; flex-wrap: wrap; font-size: 0.75em; font-variant-numeric: tabular-nums; }
    figure { margin: 0; width: 72px; text-align: center; }
    canvas { width: 72px; height: 72px; image-rendering: pixelated; display: block; cursor: pointer; }
    figcaption { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .mark { color: #b00; font-weight: bold; }
    h3 { font-size: 0.9em; margin: 0.5em 0 0.2em; }
    .query { display: flex; gap: 1em; align-items: flex-start; }
  `;

  /** Runs a search in the worker; set by the page. */
  searchSource?: (request: SearchRequest) => Promise<SearchResponse>;
  /** Builds the search bundle in the worker; set by the page. */
  exportSource?: () => Promise<BundleExport>;

  /** Samples in the data set, or undefined while it loads; set by the page. */
  declare samples?: number;
  /** Results per list. */
  declare count: number;
  declare result?: SearchResponse;
  declare error?: string;
  declare exportMessage?: string;

  private query?: SearchQuery;
  private sequence = 0;
  private inFlight = false;
  /** A snapshot arrived while a search ran, so the results are stale once it returns. */
  private refreshPending = false;
  private lastRequestTime = 0;
  private refreshTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.count = DEFAULT_RESULT_COUNT;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.refreshTimer);
  }

  /** Makes `query` the current query and searches for it now. */
  searchFor(query: SearchQuery): void {
    this.query = query;
    this.error = undefined;
    void this.runSearch();
  }

  /** Tells the panel that W changed; it searches again within about a second. */
  snapshotArrived(): void {
    if (!this.query || this.refreshTimer) return;
    if (this.inFlight) {
      this.refreshPending = true;
      return;
    }
    const wait = Math.max(0, this.lastRequestTime + REFRESH_INTERVAL_MS - performance.now());
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.runSearch();
    }, wait);
  }

  override render() {
    const result = this.result;
    return html`
      <strong>Search by cosine similarity of rows of W</strong>
      <div class="controls">
        <label>sample <input type="number" min="0" step="1" data-role="index" @keydown=${this.onIndexKey} /></label>
        <button data-role="search" @click=${this.onIndexSearch}>search</button>
        <label>or a photo <input type="file" accept="image/jpeg,image/png" data-role="photo" @change=${this.onPhoto} /></label>
        <label>results
          <select data-role="count" @change=${this.onCountChange}>
            ${RESULT_COUNTS.map((n) => html`<option value=${n} ?selected=${n === this.count}>${n}</option>`)}
          </select>
        </label>
        <button data-role="export" @click=${this.onExport}>export search bundle</button>
        ${this.exportMessage ? html`<span data-role="export-message">${this.exportMessage}</span>` : nothing}
      </div>
      ${this.error ? html`<div role="alert" data-role="search-error">${this.error}</div>` : nothing}
      ${result ? this.renderResult(result) : html`<div>Click a sample, type its index or open a photo.</div>`}
    `;
  }

  private renderResult(result: SearchResponse) {
    const copies = result.exactCopies.length > 0 ? `exact copies: ${result.exactCopies.map((i) => `#${i}`).join(', ')}` : 'no exact copies';
    const hidden = result.zeroRows.length;
    return html`
      <div class="query" data-role="query" data-index=${result.queryIndex ?? ''} data-iteration=${result.iteration} data-engine=${result.engine}>
        <figure>
          <canvas data-role="query-original"></canvas>
          <canvas data-role="query-reconstruction"></canvas>
        </figure>
        <div>
          <div>Query ${result.queryIndex !== undefined ? `#${result.queryIndex}` : 'photo'}: <span data-role="query-name">${result.queryName}</span></div>
          <div data-role="exact-copies">${copies}</div>
          <div>iteration ${result.iteration}, ranked on the ${result.engine.toUpperCase()}</div>
          ${hidden > 0 ? html`<div data-role="zero-rows">${hidden} samples with an all-zero row of W are left out</div>` : nothing}
          ${result.invalidQuery ? html`<div role="alert">The query's row of W is ${result.invalidQuery === 'zero' ? 'all zeros' : 'not finite'}, so it has no direction to compare.</div>` : nothing}
        </div>
      </div>
      <h3>Most similar</h3>
      <div class="row" data-list="nearest">${result.nearest.map((hit, slot) => this.renderHit(hit, slot))}</div>
      ${result.farthest.length > 0
        ? html`<h3>Most dissimilar</h3>
            <div class="row" data-list="farthest">${result.farthest.map((hit, slot) => this.renderHit(hit, result.nearest.length + slot))}</div>`
        : nothing}
    `;
  }

  private renderHit(hit: SearchHit, slot: number) {
    let mark = '';
    if (hit.exactCopy) mark = 'copy';
    else if (hit.nearDuplicate) mark = '≈ copy';
    return html`<figure data-index=${hit.index} data-similarity=${hit.similarity} data-mark=${mark}>
      <canvas data-role="original" data-slot=${slot} title="search for sample ${hit.index}" @click=${() => this.searchFor({ index: hit.index })}></canvas>
      <canvas data-role="reconstruction" data-slot=${slot}></canvas>
      <figcaption>${hit.similarity.toFixed(4)} ${mark ? html`<span class="mark">${mark}</span>` : nothing}</figcaption>
      <figcaption title=${hit.name}>#${hit.index} ${hit.name}</figcaption>
    </figure>`;
  }

  override updated(): void {
    const result = this.result;
    if (!result) return;
    const { width, height } = result;
    const features = width * height;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas[data-slot]')) {
      const offset = Number(canvas.dataset.slot) * features;
      if (canvas.dataset.role === 'original') drawImage(canvas, { values: result.originals, offset, width, height }, 'bone', 0, 255);
      else drawImage(canvas, { values: result.reconstructions, offset, width, height }, 'bone', 0, 1);
    }
    const queryOriginal = this.renderRoot.querySelector<HTMLCanvasElement>('canvas[data-role=query-original]');
    if (queryOriginal) drawImage(queryOriginal, { values: result.queryPixels, offset: 0, width, height }, 'bone', 0, 255);
    const queryReconstruction = this.renderRoot.querySelector<HTMLCanvasElement>('canvas[data-role=query-reconstruction]');
    if (queryReconstruction) drawImage(queryReconstruction, { values: result.queryReconstruction, offset: 0, width, height }, 'bone', 0, 1);
  }

  private async runSearch(): Promise<void> {
    const query = this.query;
    if (!query || !this.searchSource) return;
    const sequence = ++this.sequence;
    this.inFlight = true;
    this.refreshPending = false;
    this.lastRequestTime = performance.now();
    try {
      // A photo's bytes are copied, because comlink may transfer them away.
      const sent: SearchQuery = 'photo' in query ? { photo: query.photo.slice(), name: query.name } : query;
      const result = await this.searchSource({ query: sent, k: this.count, dissimilar: true });
      if (sequence === this.sequence) this.result = result;
    } catch (error) {
      if (sequence === this.sequence) this.error = `search failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (sequence === this.sequence) this.inFlight = false;
    }
    if (sequence === this.sequence && this.refreshPending) this.snapshotArrived();
  }

  private onIndexKey(event: KeyboardEvent): void {
    if (event.key === 'Enter') this.onIndexSearch();
  }

  private onIndexSearch(): void {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[data-role=index]');
    const text = input?.value.trim() ?? '';
    const index = Number(text);
    const samples = this.samples;
    if (samples === undefined) {
      this.error = 'the data set is still loading; search again once training starts';
      return;
    }
    if (text === '' || !Number.isInteger(index) || index < 0 || index >= samples) {
      this.error = `sample index "${text}" is invalid; type a whole number from 0 to ${samples - 1}`;
      return;
    }
    this.searchFor({ index });
  }

  private async onPhoto(event: Event): Promise<void> {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      this.searchFor({ photo: new Uint8Array(await file.arrayBuffer()), name: file.name });
    } catch (error) {
      this.error = `reading ${file.name} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private onCountChange(event: Event): void {
    this.count = Number((event.target as HTMLSelectElement).value);
    if (this.query) void this.runSearch();
  }

  private async onExport(): Promise<void> {
    if (!this.exportSource) return;
    this.exportMessage = 'building the bundle…';
    try {
      const exported = await this.exportSource();
      const url = URL.createObjectURL(new Blob([exported.zip.slice()], { type: 'application/zip' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'bundle.zip';
      link.click();
      // Revoked a minute later, because the browser may read the URL after click() returns.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.exportMessage = `bundle.zip: ${exported.samples} samples at iteration ${exported.iteration}; unzip it next to the page that embeds <cat-search>`;
    } catch (error) {
      this.exportMessage = undefined;
      this.error = `export failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

customElements.define('search-panel', SearchPanel);

declare global {
  interface HTMLElementTagNameMap {
    'search-panel': SearchPanel;
  }
}
