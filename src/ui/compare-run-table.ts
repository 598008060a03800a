/**
 * `<compare-run-table>`: one row per run of the compare page with its
 * settings, state, iteration and play/pause/step buttons, and buttons to add
 * and remove runs.
 *
 * It only emits events: `run-command` with a `RunCommand`, and
 * `runs-change` with the complete new list of run settings once every run's
 * settings are valid. An invalid edit is shown in its row and emits nothing.
 *
 * @example
 * table.addEventListener('runs-change', (e) => api.setRuns(e.detail));
 */
import { css, html, LitElement, nothing } from 'lit';
import { MAX_RUNS, MIN_RUNS, type RunSettings, type RunStatus } from '../worker/protocol.ts';
import { RUN_COLOURS } from './compare-chart.ts';
import { COMMON_BETAS, INITS, runSettingsError, SOLVERS } from './compare-url.ts';

export type RunCommand = { index: number; command: 'play' | 'pause' } | { index: number; command: 'step'; iterations: number };

type NumberField = 'beta' | 'seed' | 'rank' | 'alphaW' | 'alphaH' | 'l1Ratio';

export class CompareRunTable extends LitElement {
  static override properties = {
    runs: { attribute: false },
    statuses: { attribute: false },
    stepSize: { type: Number, attribute: 'step-size' },
    invalid: { state: true },
  };

  static override styles = css`
    :host { display: block; }
    table { border-collapse: collapse; font-size: 0.9em; }
    th, td { padding: 2px 6px; text-align: left; }
    input[type='number'], input[name='beta'] { width: 5em; }
    .swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; }
    .invalid { color: #b00020; font-size: 0.85em; }
    .state-failed { color: #b00020; }
  `;

  declare runs: RunSettings[];
  declare statuses: RunStatus[];
  /** Iterations of the step buttons. */
  declare stepSize: number;
  /** Rejection message of the last edit of each run, by run index. */
  declare invalid: Record<number, string>;

  constructor() {
    super();
    this.runs = [];
    this.statuses = [];
    this.stepSize = 10;
    this.invalid = {};
  }

  override render() {
    return html`
      <table>
        <thead>
          <tr>
            <th>run</th><th>solver</th><th>β</th><th>init</th><th>seed</th><th>rank</th><th>alphaW</th><th>alphaH</th><th>l1Ratio</th>
            <th>state</th><th>iteration</th><th></th>
          </tr>
        </thead>
        <tbody>
          ${this.runs.map((run, index) => this.renderRow(run, index))}
        </tbody>
      </table>
      <datalist id="betas">${COMMON_BETAS.map((beta) => html`<option value=${beta}></option>`)}</datalist>
      <button data-command="add-run" ?disabled=${this.runs.length >= MAX_RUNS} @click=${this.addRun}>Add run</button>
    `;
  }

  private renderRow(run: RunSettings, index: number) {
    const status = this.statuses[index];
    const state = status?.state ?? 'starting';
    const idle = state === 'paused';
    const number = (name: NumberField, step: string) =>
      html`<td><input name=${name} type="number" step=${step} min="0" .value=${String(run[name])} @change=${(event: Event) => this.onNumber(index, name, event)} /></td>`;
    return html`
      <tr data-run=${index} data-state=${state} data-iteration=${status?.iteration ?? 0}>
        <td><span class="swatch" style="background:${RUN_COLOURS[index % RUN_COLOURS.length]}"></span> ${index + 1}</td>
        <td>
          <select name="solver" @change=${(event: Event) => this.edit(index, { solver: (event.target as HTMLSelectElement).value as RunSettings['solver'] })}>
            ${SOLVERS.map((solver) => html`<option value=${solver} ?selected=${solver === run.solver}>${solver}</option>`)}
          </select>
        </td>
        <td><input name="beta" list="betas" .value=${String(run.beta)} @change=${(event: Event) => this.onNumber(index, 'beta', event)} /></td>
        <td>
          <select name="init" @change=${(event: Event) => this.edit(index, { init: (event.target as HTMLSelectElement).value as RunSettings['init'] })}>
            ${INITS.map((init) => html`<option value=${init} ?selected=${init === run.init}>${init}</option>`)}
          </select>
        </td>
        ${number('seed', '1')} ${number('rank', '1')} ${number('alphaW', 'any')} ${number('alphaH', 'any')} ${number('l1Ratio', '0.1')}
        <td class="state-${state}" title=${status?.error?.message ?? ''}>${state}</td>
        <td data-field="iteration">${status?.iteration ?? 0}</td>
        <td>
          <button data-command="play" ?disabled=${!idle} @click=${() => this.emit({ index, command: 'play' })}>Play</button>
          <button data-command="pause" ?disabled=${state !== 'training'} @click=${() => this.emit({ index, command: 'pause' })}>Pause</button>
          <button data-command="step-n" ?disabled=${!idle} @click=${() => this.emit({ index, command: 'step', iterations: this.stepSize })}>Step ${this.stepSize}</button>
          <button data-command="remove" ?disabled=${this.runs.length <= MIN_RUNS} @click=${() => this.removeRun(index)}>Remove</button>
        </td>
      </tr>
      ${this.invalid[index] ? html`<tr><td></td><td colspan="11" class="invalid" role="alert">${this.invalid[index]}</td></tr>` : nothing}
      ${status?.error ? html`<tr><td></td><td colspan="11" class="invalid" role="alert">run ${index + 1} failed: ${status.error.message}</td></tr>` : nothing}
    `;
  }

  private onNumber(index: number, name: NumberField, event: Event): void {
    const text = (event.target as HTMLInputElement).value;
    this.edit(index, { [name]: text.trim() === '' ? NaN : Number(text) });
  }

  private edit(index: number, change: Partial<RunSettings>): void {
    const next = this.runs.map((run, i) => (i === index ? { ...run, ...change } : run));
    const error = runSettingsError(next[index]);
    if (error) {
      this.invalid = { ...this.invalid, [index]: `run ${index + 1} was not changed: ${error}` };
      return;
    }
    const { [index]: _cleared, ...rest } = this.invalid;
    this.invalid = rest;
    this.emitRuns(next);
  }

  private addRun(): void {
    const last = this.runs[this.runs.length - 1];
    this.emitRuns([...this.runs, { ...last, seed: last.seed + 1 }]);
  }

  private removeRun(index: number): void {
    this.invalid = {};
    this.emitRuns(this.runs.filter((_, i) => i !== index));
  }

  private emitRuns(runs: RunSettings[]): void {
    this.dispatchEvent(new CustomEvent('runs-change', { detail: runs, bubbles: true, composed: true }));
  }

  private emit(command: RunCommand): void {
    this.dispatchEvent(new CustomEvent('run-command', { detail: command, bubbles: true, composed: true }));
  }
}

customElements.define('compare-run-table', CompareRunTable);

declare global {
  interface HTMLElementTagNameMap {
    'compare-run-table': CompareRunTable;
  }
}
