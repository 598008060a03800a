/**
 * `<status-line>`: iteration, iterations per second, adapter, GPU memory
 * the solver allocated, and the dataset's size. The host element carries
 * `data-state` and `data-iteration` so that tests and scripts can read them.
 */
import { css, html, LitElement, nothing } from 'lit';
import type { EngineInfo, StatusEvent } from '../worker/protocol.ts';

export class StatusLine extends LitElement {
  static override properties = { status: { attribute: false } };

  static override styles = css`
    :host { display: block; font-size: 0.9em; font-variant-numeric: tabular-nums; }
    span + span::before { content: ' · '; color: #999; }
    .cpu { color: #a60; font-weight: bold; }
  `;

  declare status?: StatusEvent;

  override updated(): void {
    this.dataset.state = this.status?.state ?? 'starting';
    this.dataset.iteration = String(this.status?.iteration ?? 0);
  }

  override render() {
    const status = this.status;
    if (!status) return html`<span>starting…</span>`;
    const { engine, dataset } = status;
    return html`
      <span data-field="state">${status.state}</span>
      <span data-field="iteration">iteration ${status.iteration}</span>
      <span data-field="rate">${status.iterationsPerSecond.toFixed(1)} it/s</span>
      <span data-field="adapter" class=${engine?.kind === 'cpu' ? 'cpu' : ''}>${engineName(engine)}</span>
      ${engine?.kind === 'gpu' ? html`<span data-field="memory">GPU memory ${formatBytes(status.gpuBytes)}</span>` : nothing}
      ${dataset
        ? html`<span data-field="dataset">${dataset.name}: ${dataset.samples.toLocaleString('en')} images of ${dataset.width}×${dataset.height}${dataset.samples < dataset.availableSamples ? ` (of ${dataset.availableSamples.toLocaleString('en')})` : ''}${dataset.fromCache ? ', from cache' : ''}</span>`
        : nothing}
    `;
  }
}

function engineName(engine: EngineInfo | undefined): string {
  if (!engine) return '…';
  return engine.kind === 'cpu' ? 'CPU engine' : engine.adapter;
}

/** Formats a byte count with binary prefixes, e.g. `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

customElements.define('status-line', StatusLine);

declare global {
  interface HTMLElementTagNameMap {
    'status-line': StatusLine;
  }
}
