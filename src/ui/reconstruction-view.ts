/**
 * `<reconstruction-view>`: chosen samples of V above their current
 * reconstruction, the same rows of W·H, each with its relative error. A
 * click on a sample dispatches `search-sample` with its index.
 *
 * @example
 * view.showSnapshot(snapshot);
 */
import { css, html, LitElement } from 'lit';
import type { SnapshotEvent } from '../worker/protocol.ts';
import { drawImage } from './draw-image.ts';

type Shown = Pick<SnapshotEvent, 'samples' | 'originals' | 'reconstructions' | 'sampleErrors' | 'width' | 'height'>;

export class ReconstructionView extends LitElement {
  static override styles = css`
    :host { display: block; }
    .row { display: flex; gap: 8px; flex-wrap: wrap; }
    figure { margin: 0; text-align: center; font-size: 0.75em; font-variant-numeric: tabular-nums; }
    canvas { width: 84px; height: 84px; image-rendering: pixelated; display: block; }
    canvas[data-role=original] { cursor: pointer; }
  `;

  private shown?: Shown;

  showSnapshot(snapshot: Shown): void {
    this.shown = snapshot;
    this.requestUpdate();
  }

  override render() {
    const shown = this.shown;
    return html`
      <strong>Samples (top) and their reconstruction W·H (bottom)</strong>
      <div class="row">
        ${(shown?.samples ?? []).map(
          (sample, slot) => html`<figure>
            <canvas data-role="original" data-slot=${slot} title="sample ${sample}" @click=${() => this.searchSample(sample)}></canvas>
            <canvas data-role="reconstruction" data-slot=${slot}></canvas>
            <figcaption>#${sample}<br />error ${(shown!.sampleErrors[slot] * 100).toFixed(1)} %</figcaption>
          </figure>`,
        )}
      </div>
    `;
  }

  private searchSample(index: number): void {
    this.dispatchEvent(new CustomEvent('search-sample', { detail: index, bubbles: true, composed: true }));
  }

  override updated(): void {
    const shown = this.shown;
    if (!shown) return;
    const { width, height } = shown;
    const features = width * height;
    for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas')) {
      const offset = Number(canvas.dataset.slot) * features;
      if (canvas.dataset.role === 'original') {
        drawImage(canvas, { values: shown.originals, offset, width, height }, 'bone', 0, 255);
      } else {
        drawImage(canvas, { values: shown.reconstructions, offset, width, height }, 'bone', 0, 1);
      }
    }
  }
}

customElements.define('reconstruction-view', ReconstructionView);

declare global {
  interface HTMLElementTagNameMap {
    'reconstruction-view': ReconstructionView;
  }
}
