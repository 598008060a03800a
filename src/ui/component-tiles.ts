/**
 * `<component-tiles>`: every row of H drawn as an image at the dataset's
 * image size, each scaled to its own maximum. Clicking a tile enlarges it
 * and lists the samples that weigh that component most (the largest entries
 * of its column of W), which `topSamplesSource` fetches from the worker.
 * Clicking one of those samples emits `sample-chosen` with its row index.
 *
 * @example
 * tiles.topSamplesSource = (component) => api.topSamples(component, 8);
 * tiles.showSnapshot(snapshot);
 */
import { css, html, LitElement, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { SnapshotEvent, TopSamples } from '../worker/protocol.ts';
import { COLORMAP_NAMES, type ColormapName } from './colormap.ts';
import { drawImage, maxOf } from './draw-image.ts';

type Components = Pick<SnapshotEvent, 'H' | 'rank' | 'width' | 'height' | 'iteration'>;

export class ComponentTiles extends LitElement {
  static override properties = {
    colormap: { type: String },
    selected: { state: true },
    topSamples: { state: true },
    topSamplesError: { state: true },
  };

  static override styles = css`
    :host { display: block; }
    header { display: flex; gap: 1em; align-items: baseline; font-size: 0.9em; margin-bottom: 0.4em; }
    .grid { display: flex; flex-wrap: wrap; gap: 3px; }
    canvas { image-rendering: pixelated; display: block; }
    .tile { width: 56px; height: 56px; cursor: pointer; outline: 2px solid transparent; }
    .tile.selected { outline-color: #d33; }
    .detail { display: flex; gap: 1em; margin-top: 0.6em; align-items: flex-start; }
    .large { width: 192px; height: 192px; }
    .samples { display: flex; flex-wrap: wrap; gap: 6px; font-size: 0.75em; }
    .samples figure { margin: 0; width: 72px; }
    .samples canvas { width: 72px; height: 72px; cursor: pointer; }
    .samples figcaption { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  `;

  /** Colormap of the tiles: viridis by default; bone or gray read better on photographs. */
  declare colormap: ColormapName;
  /** The enlarged component, or -1. */
  declare selected: number;
  declare topSamples?: TopSamples;
  declare topSamplesError?: string;
  /** Fetches the samples that weigh a component most; set by the page. */
  topSamplesSource?: (component: number) => Promise<TopSamples>;

  private components?: Components;

  constructor() {
    super();
    this.colormap = 'viridis';
    this.selected = -1;
  }

  /** Draws the components of a new snapshot. */
  showSnapshot(snapshot: Components): void {
    const rankChanged = this.components?.rank !== snapshot.rank;
    this.components = snapshot;
    if (rankChanged && this.selected >= snapshot.rank) this.select(-1);
    this.requestUpdate();
  }

  override render() {
    const rank = this.components?.rank ?? 0;
    return html`
      <header>
        <strong>Components (rows of H)</strong>
        <label>
          colormap
          <select @change=${this.onColormapChange}>
            ${COLORMAP_NAMES.map((name) => html`<option value=${name} ?selected=${name === this.colormap}>${name}</option>`)}
          </select>
        </label>
        <span>click a tile for the samples that use it most</span>
      </header>
      <div class="grid">
        ${repeat(
          Array.from({ length: rank }, (_, i) => i),
          (i) => i,
          (i) => html`<canvas
            class="tile ${i === this.selected ? 'selected' : ''}"
            data-component=${i}
            title="component ${i}"
            @click=${() => this.select(i === this.selected ? -1 : i)}
          ></canvas>`,
        )}
      </div>
      ${this.selected >= 0 ? this.renderDetail() : nothing}
    `;
  }

  private renderDetail() {
    const top = this.topSamples?.component === this.selected ? this.topSamples : undefined;
    return html`
      <div class="detail">
        <canvas class="large" data-role="enlarged"></canvas>
        <div>
          <div>Component ${this.selected}: samples with the largest weight in W</div>
          ${this.topSamplesError ? html`<div role="alert">${this.topSamplesError}</div>` : nothing}
          <div class="samples">
            ${top
              ? top.indices.map(
                  (index, slot) => html`<figure>
                    <canvas data-slot=${slot} title="show sample ${index} above its reconstruction" @click=${() => this.chooseSample(index)}></canvas>
                    <figcaption title=${top.names[slot]}>#${index} w=${top.weights[slot].toPrecision(3)}</figcaption>
                  </figure>`,
                )
              : html`<span>loading…</span>`}
          </div>
        </div>
      </div>
    `;
  }

  override updated(): void {
    const components = this.components;
    if (!components) return;
    const { H, width, height } = components;
    const features = width * height;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.tile')) {
      const k = Number(canvas.dataset.component);
      drawImage(canvas, { values: H, offset: k * features, width, height }, this.colormap, 0, maxOf(H, k * features, features));
    }

    const large = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.large');
    if (large && this.selected >= 0) {
      const offset = this.selected * features;
      drawImage(large, { values: H, offset, width, height }, this.colormap, 0, maxOf(H, offset, features));
    }

    const top = this.topSamples;
    if (top && top.component === this.selected) {
      for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('.samples canvas')) {
        const slot = Number(canvas.dataset.slot);
        drawImage(canvas, { values: top.images, offset: slot * top.width * top.height, width: top.width, height: top.height }, 'bone', 0, 255);
      }
    }
  }

  private onColormapChange(event: Event): void {
    this.colormap = (event.target as HTMLSelectElement).value as ColormapName;
    this.dispatchEvent(new CustomEvent('colormap-change', { detail: this.colormap, bubbles: true, composed: true }));
  }

  private chooseSample(index: number): void {
    this.dispatchEvent(new CustomEvent('sample-chosen', { detail: index, bubbles: true, composed: true }));
  }

  private async select(component: number): Promise<void> {
    this.selected = component;
    this.topSamples = undefined;
    this.topSamplesError = undefined;
    if (component < 0 || !this.topSamplesSource) return;
    try {
      const top = await this.topSamplesSource(component);
      if (this.selected === component) this.topSamples = top;
    } catch (error) {
      this.topSamplesError = `fetching the samples of component ${component} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

customElements.define('component-tiles', ComponentTiles);

declare global {
  interface HTMLElementTagNameMap {
    'component-tiles': ComponentTiles;
  }
}
