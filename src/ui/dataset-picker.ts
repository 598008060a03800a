/**
 * `<dataset-picker>`: opens a folder or a zip of images, and shows the
 * progress of reading and decoding with a cancel button. Dropping files on
 * the page is handled by `<nmf-playground>`, which shares this element's
 * events.
 *
 * Emits `files-chosen` with `{ files, paths }` and `cancel-load`.
 */
import { css, html, LitElement, nothing } from 'lit';
import type { DatasetInfo, LoadProgress } from '../worker/protocol.ts';

export class DatasetPicker extends LitElement {
  static override properties = {
    progress: { attribute: false },
    info: { attribute: false },
  };

  static override styles = css`
    :host { display: block; font-size: 0.9em; }
    .row { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; }
    input[type='file'] { display: none; }
    progress { width: 16em; }
    details { margin-top: 0.3em; }
    .skipped { color: #a60; }
  `;

  declare progress?: LoadProgress;
  /** The loaded dataset, for its list of skipped files. */
  declare info?: DatasetInfo;

  override render() {
    const progress = this.progress;
    const skipped = this.info?.skipped ?? [];
    return html`
      <div class="row">
        <button data-action="open-folder" @click=${() => this.input('folder').click()}>Open folder…</button>
        <button data-action="open-zip" @click=${() => this.input('zip').click()}>Open zip…</button>
        <span>or drop a folder or zip of images on the page</span>
        <input data-input="folder" type="file" webkitdirectory multiple @change=${this.onFiles} />
        <input data-input="zip" type="file" accept=".zip,application/zip" @change=${this.onFiles} />
        ${progress
          ? html`<span data-testid="load-progress">
              ${progress.phase} <progress max=${progress.total} .value=${progress.done}></progress> ${progress.done} / ${progress.total}
              <button data-action="cancel-load" @click=${() => this.emit('cancel-load', undefined)}>Cancel</button>
            </span>`
          : nothing}
      </div>
      ${skipped.length > 0
        ? html`<details class="skipped" data-testid="skipped-files">
            <summary>${skipped.length} file(s) skipped</summary>
            <ul>${skipped.map((file) => html`<li>${file.name}: ${file.reason}</li>`)}</ul>
          </details>`
        : nothing}
    `;
  }

  private input(kind: 'folder' | 'zip'): HTMLInputElement {
    return this.renderRoot.querySelector<HTMLInputElement>(`input[data-input=${kind}]`)!;
  }

  private onFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length === 0) return;
    this.emit('files-chosen', { files, paths: files.map((file) => file.webkitRelativePath || file.name) });
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

customElements.define('dataset-picker', DatasetPicker);

declare global {
  interface HTMLElementTagNameMap {
    'dataset-picker': DatasetPicker;
  }
}
