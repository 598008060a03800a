/**
 * `<nmf-compare>`: the compare page. Starts the compare worker, loads the
 * dataset the URL and the dev server choose (V is uploaded once), creates
 * the runs the URL lists and plays them all. Each run's loss, measures and
 * components are pulled once per animation frame. Any change to a run's
 * settings restarts every run from iteration 0, so the runs stay comparable.
 */
import { css, html, LitElement, nothing } from 'lit';
import { createCompareWorker, type CompareWorkerHandle } from '../worker/client.ts';
import { reviveError, type ComparePoll, type CompareCursor, type DatasetInfo, type EngineInfo, type RunComponents, type RunPoint, type RunSettings, type RunStatus } from '../worker/protocol.ts';
import './compare-chart.ts';
import { RUN_COLOURS } from './compare-chart.ts';
import './compare-run-table.ts';
import type { RunCommand } from './compare-run-table.ts';
import { formatCompareOptions, parseCompareOptions, type CompareOptions } from './compare-url.ts';
import { drawImage, maxOf } from './draw-image.ts';
import './error-banner.ts';

/** Measures of the table, with their headings and number formats. */
const MEASURES: { key: keyof RunPoint; heading: string; format: (value: number) => string }[] = [
  { key: 'loss', heading: 'loss', format: (value) => value.toPrecision(5) },
  { key: 'relativeError', heading: 'relative error', format: (value) => value.toFixed(4) },
  { key: 'explainedVariance', heading: 'explained variance', format: (value) => value.toFixed(4) },
  { key: 'sparsenessW', heading: 'Hoyer sparseness W', format: (value) => value.toFixed(3) },
  { key: 'sparsenessH', heading: 'Hoyer sparseness H', format: (value) => value.toFixed(3) },
  { key: 'zerosW', heading: 'zeros W', format: (value) => value.toFixed(3) },
  { key: 'zerosH', heading: 'zeros H', format: (value) => value.toFixed(3) },
];

export class NmfCompare extends LitElement {
  static override properties = {
    options: { state: true },
    statuses: { state: true },
    latest: { state: true },
    engine: { state: true },
    datasetInfo: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 1300px; margin: 0 auto; padding: 0.8em; color: #222; }
    header { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; }
    h1 { font-size: 1.2em; margin: 0; }
    section { margin: 0.6em 0; }
    .controls { display: flex; gap: 0.6em; align-items: center; flex-wrap: wrap; }
    input[name='stepSize'] { width: 5em; }
    table.measures { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }
    table.measures th, table.measures td { padding: 2px 8px; text-align: right; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 1em; }
    .tiles .grid { display: flex; flex-wrap: wrap; gap: 3px; }
    .tiles canvas { width: 48px; height: 48px; image-rendering: pixelated; }
    .swatch { display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px; }
  `;

  declare options: CompareOptions;
  declare statuses: RunStatus[];
  /** Last point of each run, for the measures table. */
  declare latest: (RunPoint | undefined)[];
  declare engine?: EngineInfo;
  declare datasetInfo?: DatasetInfo;

  private worker?: CompareWorkerHandle;
  private cursor: CompareCursor = { generation: 0, points: [], snapshots: [] };
  private components: (RunComponents | undefined)[] = [];
  private polling = false;
  private frame = 0;
  private urlErrors: string[];

  constructor() {
    super();
    const { options, errors } = parseCompareOptions(location.search);
    this.options = options;
    this.urlErrors = errors;
    this.statuses = [];
    this.latest = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.polling = false;
    cancelAnimationFrame(this.frame);
    this.worker?.terminate();
  }

  override render() {
    const dataset = this.datasetInfo;
    return html`
      <header>
        <h1>catlab · compare solvers</h1>
        <a href="./">playground</a>
        <span data-testid="dataset">${dataset ? `${dataset.name}: ${dataset.samples} images of ${dataset.width}×${dataset.height}` : 'loading…'}</span>
        <span data-testid="engine">${this.engineText()}</span>
      </header>
      <error-banner></error-banner>
      <section class="controls">
        <button data-command="play-all" @click=${() => this.forEachRun('play')}>Play all</button>
        <button data-command="pause-all" @click=${() => this.forEachRun('pause')}>Pause all</button>
        <label>N <input name="stepSize" type="number" min="1" .value=${String(this.options.stepSize)} @change=${this.onStepSizeChange} /></label>
        <label><input name="xAxis" type="checkbox" .checked=${this.options.xAxis === 'seconds'} @change=${this.onAxisChange} /> loss against seconds</label>
      </section>
      <section>
        <compare-run-table
          .runs=${this.options.runs}
          .statuses=${this.statuses}
          .stepSize=${this.options.stepSize}
          @run-command=${this.onRunCommand}
          @runs-change=${this.onRunsChange}
        ></compare-run-table>
      </section>
      <section><compare-chart .xAxis=${this.options.xAxis}></compare-chart></section>
      <section>${this.renderMeasures()}</section>
      <section class="tiles">${this.options.runs.map((_, index) => this.renderTiles(index))}</section>
    `;
  }

  private engineText(): string {
    if (!this.engine) return '';
    if (this.engine.kind === 'gpu') return `GPU: ${this.engine.adapter}`;
    return `CPU (${this.engine.cpuReason})`;
  }

  private renderMeasures() {
    return html`
      <table class="measures">
        <thead>
          <tr><th>run</th><th>iteration</th>${MEASURES.map((measure) => html`<th>${measure.heading}</th>`)}<th>seconds per iteration</th></tr>
        </thead>
        <tbody>
          ${this.options.runs.map((_, index) => {
            const point = this.latest[index];
            return html`<tr data-run=${index}>
              <td><span class="swatch" style="background:${RUN_COLOURS[index % RUN_COLOURS.length]}"></span> ${index + 1}</td>
              <td>${point?.iteration ?? 0}</td>
              ${MEASURES.map((measure) => html`<td data-measure=${measure.key}>${point ? measure.format(point[measure.key]) : '–'}</td>`)}
              <td data-measure="secondsPerIteration">${point && point.iteration > 0 ? (point.seconds / point.iteration).toExponential(2) : '–'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    `;
  }

  private renderTiles(index: number) {
    const rank = this.components[index]?.rank ?? 0;
    return html`<div data-run=${index}>
      <div><span class="swatch" style="background:${RUN_COLOURS[index % RUN_COLOURS.length]}"></span> run ${index + 1}: components (rows of H)</div>
      <div class="grid">${Array.from({ length: rank }, (_, k) => html`<canvas data-component=${k} title="run ${index + 1}, component ${k}"></canvas>`)}</div>
      ${rank === 0 ? html`<span>no components yet</span>` : nothing}
    </div>`;
  }

  override updated(): void {
    this.components.forEach((components, index) => {
      if (!components) return;
      const features = components.width * components.height;
      for (const canvas of this.renderRoot.querySelectorAll<HTMLCanvasElement>(`.tiles [data-run="${index}"] canvas`)) {
        const offset = Number(canvas.dataset.component) * features;
        drawImage(canvas, { values: components.H, offset, width: components.width, height: components.height }, 'viridis', 0, maxOf(components.H, offset, features));
      }
    });
  }

  private api() {
    if (!this.worker) throw new Error('the compare worker is not started');
    return this.worker.api;
  }

  private async boot(): Promise<void> {
    this.worker = createCompareWorker((error) => this.showError(error));
    // The banner exists only after the first render, and boot() starts before it.
    await this.updateComplete;
    for (const message of this.urlErrors) this.showError(new RangeError(message));
    try {
      this.engine = await this.api().start({ forceCpu: this.options.forceCpu, debug: false });
      this.datasetInfo = await this.api().load({ kind: 'auto', size: 64, limit: this.options.limit });
      await this.applyRuns(this.options.runs);
      this.polling = true;
      this.frame = requestAnimationFrame(() => void this.pollOnce());
      await this.forEachRun('play');
    } catch (error) {
      this.showError(error);
    }
  }

  /** Starts new runs in the worker and clears the page's points and tiles of the old ones. */
  private async applyRuns(runs: RunSettings[]): Promise<void> {
    this.setOptions({ ...this.options, runs });
    await this.api().setRuns(runs);
    this.renderRoot.querySelector('compare-chart')?.setRunCount(runs.length);
    this.components = [];
    this.latest = [];
  }

  private async pollOnce(): Promise<void> {
    if (!this.polling) return;
    try {
      this.handlePoll(await this.api().poll(this.cursor));
    } catch (error) {
      // A failed poll means the worker is gone; polling on would repeat the same error every frame.
      this.polling = false;
      this.showError(error);
      return;
    }
    if (this.polling) this.frame = requestAnimationFrame(() => void this.pollOnce());
  }

  private handlePoll(result: ComparePoll): void {
    const chart = this.renderRoot.querySelector('compare-chart');
    if (result.generation !== this.cursor.generation) {
      this.cursor = { generation: result.generation, points: result.runs.map(() => 0), snapshots: result.runs.map(() => 0) };
      chart?.setRunCount(result.runs.length);
      this.components = [];
    }
    const latest = [...this.latest];
    result.points.forEach(({ from, points }, index) => {
      if (points.length === 0) return;
      chart?.addPoints(index, points);
      this.cursor.points[index] = from + points.length;
      latest[index] = points[points.length - 1];
    });
    result.components.forEach((components, index) => {
      if (!components) return;
      this.cursor.snapshots[index] = components.sequence;
      this.components[index] = components;
    });
    this.latest = latest;
    this.statuses = result.runs;
    this.requestUpdate();
  }

  private async forEachRun(command: 'play' | 'pause'): Promise<void> {
    await Promise.all(
      this.options.runs.map((_, index) => {
        if (this.statuses[index]?.state === 'failed') return undefined;
        return this.call(() => (command === 'play' ? this.api().play(index) : this.api().pause(index)));
      }),
    );
  }

  private onRunCommand(event: CustomEvent<RunCommand>): void {
    const detail = event.detail;
    const api = this.api();
    if (detail.command === 'step') void this.call(() => api.step(detail.index, detail.iterations));
    else if (detail.command === 'play') void this.call(() => api.play(detail.index));
    else void this.call(() => api.pause(detail.index));
  }

  private onRunsChange(event: CustomEvent<RunSettings[]>): void {
    void this.call(() => this.applyRuns(event.detail));
  }

  private onStepSizeChange(event: Event): void {
    const input = event.target as HTMLInputElement;
    const value = Number(input.value);
    if (!Number.isInteger(value) || value < 1) {
      input.value = String(this.options.stepSize);
      return;
    }
    this.setOptions({ ...this.options, stepSize: value });
  }

  private onAxisChange(event: Event): void {
    this.setOptions({ ...this.options, xAxis: (event.target as HTMLInputElement).checked ? 'seconds' : 'iteration' });
  }

  private setOptions(options: CompareOptions): void {
    this.options = options;
    history.replaceState(null, '', `${location.pathname}${formatCompareOptions(options)}${location.hash}`);
  }

  private showError(error: unknown): void {
    const asError = error instanceof Error ? error : new Error(String(error));
    this.renderRoot.querySelector('error-banner')?.add(asError, 'none');
  }

  /** Runs a worker call and shows its failure on the banner. */
  private async call(task: () => Promise<unknown>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.showError(error);
    }
  }
}

customElements.define('nmf-compare', NmfCompare);

declare global {
  interface HTMLElementTagNameMap {
    'nmf-compare': NmfCompare;
  }
}
