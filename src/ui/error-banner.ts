/**
 * `<error-banner>`: the page's one place for errors, from the worker and
 * from the page itself. Each entry states what happened and offers what can
 * be done: resume on a new device, reload, or dismiss.
 *
 * @example
 * banner.add(new Error('GPU device lost'), 'resume');
 */
import { css, html, LitElement, nothing } from 'lit';
import type { Recovery } from '../worker/protocol.ts';

interface Entry {
  id: number;
  error: Error;
  recovery: Recovery;
}

export class ErrorBanner extends LitElement {
  static override properties = { entries: { state: true } };

  static override styles = css`
    :host { display: block; }
    .entry { background: #fde8e8; border: 1px solid #d33; border-radius: 4px; padding: 0.5em 0.8em; margin-bottom: 0.5em; display: flex; gap: 1em; align-items: center; }
    .message { flex: 1; white-space: pre-wrap; }
    .name { font-weight: bold; }
  `;

  declare entries: Entry[];
  private nextId = 0;

  constructor() {
    super();
    this.entries = [];
  }

  add(error: Error, recovery: Recovery): void {
    this.entries = [...this.entries, { id: this.nextId++, error, recovery }];
  }

  /** Removes the entries that offer `recovery`, e.g. the device-loss entry once resumed. */
  dismissAll(recovery: Recovery): void {
    this.entries = this.entries.filter((entry) => entry.recovery !== recovery);
  }

  override render() {
    if (this.entries.length === 0) return nothing;
    return this.entries.map(
      (entry) => html`<div class="entry" role="alert" data-recovery=${entry.recovery}>
        <div class="message"><span class="name">${entry.error.name}:</span> ${entry.error.message}</div>
        ${entry.recovery === 'resume' ? html`<button data-action="resume" @click=${() => this.emitResume(entry)}>Resume on a new device</button>` : nothing}
        ${entry.recovery === 'reload' ? html`<button data-action="reload" @click=${() => location.reload()}>Reload</button>` : nothing}
        <button data-action="dismiss" @click=${() => this.removeEntry(entry)}>Dismiss</button>
      </div>`,
    );
  }

  private emitResume(entry: Entry): void {
    this.removeEntry(entry);
    this.dispatchEvent(new CustomEvent('resume', { bubbles: true, composed: true }));
  }

  private removeEntry(entry: Entry): void {
    this.entries = this.entries.filter((other) => other !== entry);
  }
}

customElements.define('error-banner', ErrorBanner);

declare global {
  interface HTMLElementTagNameMap {
    'error-banner': ErrorBanner;
  }
}
