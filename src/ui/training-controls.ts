/**
 * `<training-controls>`: play, pause, step 1, step N, reset, new seed, and
 * the settings of a run. Also owns the keyboard shortcuts (space, →, r),
 * which work anywhere on the page except in a text field.
 *
 * It only emits events: `command` with a `TrainingCommand`, `settings-change`
 * with the changed `Settings` fields, and `step-size-change` with N. With
 * `debug` set, it also emits `debug-lose-device` and `debug-validation-error`.
 *
 * @example
 * controls.addEventListener('command', (e) => run(e.detail));
 */
import { css, html, LitElement } from 'lit';
import { live } from 'lit/directives/live.js';
import { DEFAULT_SETTINGS, type Settings, type TrainingState } from '../worker/protocol.ts';

export type TrainingCommand =
  | { command: 'play' | 'pause' | 'reset' | 'new-seed' }
  | { command: 'step'; iterations: number };

export class TrainingControls extends LitElement {
  static override properties = {
    state: { type: String },
    settings: { attribute: false },
    stepSize: { type: Number, attribute: 'step-size' },
    debug: { type: Boolean },
  };

  static override styles = css`
    :host { display: block; }
    .buttons, .settings { display: flex; gap: 0.5em; flex-wrap: wrap; align-items: center; margin-bottom: 0.4em; }
    input[type='number'] { width: 6em; }
    .keys { font-size: 0.8em; color: #555; }
    kbd { border: 1px solid #aaa; border-radius: 3px; padding: 0 4px; }
  `;

  declare state: TrainingState;
  declare settings: Settings;
  /** Iterations of the "step N" button. */
  declare stepSize: number;
  /** Whether to show the debug buttons: simulate a device loss, raise a validation error. */
  declare debug: boolean;

  private readonly onKeyDown = (event: KeyboardEvent) => this.handleKey(event);

  constructor() {
    super();
    this.state = 'starting';
    this.settings = { ...DEFAULT_SETTINGS };
    this.stepSize = 10;
    this.debug = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKeyDown);
  }

  override render() {
    const training = this.state === 'training';
    const idle = this.state === 'paused' || this.state === 'done';
    return html`
      <div class="buttons">
        <button data-command="play" ?disabled=${!idle} @click=${() => this.emit({ command: 'play' })}>Play</button>
        <button data-command="pause" ?disabled=${!training} @click=${() => this.emit({ command: 'pause' })}>Pause</button>
        <button data-command="step-1" ?disabled=${!idle} @click=${() => this.emit({ command: 'step', iterations: 1 })}>Step 1</button>
        <button data-command="step-n" ?disabled=${!idle} @click=${() => this.emit({ command: 'step', iterations: this.stepSize })}>
          Step ${this.stepSize}
        </button>
        <button data-command="reset" ?disabled=${!(idle || training)} @click=${() => this.emit({ command: 'reset' })}>Reset</button>
        <button data-command="new-seed" ?disabled=${!(idle || training)} @click=${() => this.emit({ command: 'new-seed' })}>New seed</button>
        ${this.debug
          ? html`<button data-command="lose-device" @click=${() => this.emitDebug('debug-lose-device')}>Simulate device loss</button>
              <button data-command="validation-error" @click=${() => this.emitDebug('debug-validation-error')}>Raise a validation error</button>`
          : ''}
      </div>
      <div class="settings">
        ${this.numberField('rank', 'rank', this.settings.rank, 1)}
        <label>seed <input name="seed" type="number" min="0" .value=${live(String(this.settings.seed))} @change=${this.onSettingChange} /></label>
        ${this.numberField('iterations per update', 'iterationsPerUpdate', this.settings.iterationsPerUpdate, 1)}
        ${this.numberField('max iterations', 'maxIterations', this.settings.maxIterations, 1)}
        <label>N <input name="stepSize" type="number" min="1" .value=${String(this.stepSize)} @change=${this.onStepSizeChange} /></label>
      </div>
      <div class="keys"><kbd>space</kbd> play/pause · <kbd>→</kbd> step 1 · <kbd>r</kbd> reset</div>
    `;
  }

  private numberField(label: string, name: keyof Settings, value: number, min: number) {
    return html`<label>${label} <input name=${name} type="number" min=${min} .value=${live(String(value))} @change=${this.onSettingChange} /></label>`;
  }

  private onSettingChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const name = input.name as keyof Settings;
    // An emptied field (or text the browser cannot read as a number) has no value to check, so it shows the setting again.
    if (input.value.trim() === '') {
      input.value = String(this.settings[name]);
      return;
    }

    // Every other value goes to the worker, which checks it against the data set, so
    // all invalid values get the same banner message. The page then re-renders
    // the field with the setting still in force.
    const value = Number(input.value);
    this.dispatchEvent(new CustomEvent('settings-change', { detail: { [name]: value }, bubbles: true, composed: true }));
  }

  private onStepSizeChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < 1) {
      input.value = String(this.stepSize);
      return;
    }
    this.stepSize = value;
    this.dispatchEvent(new CustomEvent('step-size-change', { detail: value, bubbles: true, composed: true }));
  }

  private emitDebug(type: 'debug-lose-device' | 'debug-validation-error'): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  private emit(command: TrainingCommand): void {
    this.dispatchEvent(new CustomEvent('command', { detail: command, bubbles: true, composed: true }));
  }

  private handleKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.composedPath()[0];
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
    const idle = this.state === 'paused' || this.state === 'done';
    if (event.key === ' ') {
      event.preventDefault();
      if (this.state === 'training') this.emit({ command: 'pause' });
      else if (idle) this.emit({ command: 'play' });
    } else if (event.key === 'ArrowRight' && idle) {
      event.preventDefault();
      this.emit({ command: 'step', iterations: 1 });
    } else if (event.key === 'r' && (idle || this.state === 'training')) {
      this.emit({ command: 'reset' });
    }
  }
}

customElements.define('training-controls', TrainingControls);

declare global {
  interface HTMLElementTagNameMap {
    'training-controls': TrainingControls;
  }
}
