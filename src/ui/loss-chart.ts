/**
 * `<loss-chart>`: the loss against the iteration, drawn by uPlot.
 *
 * Points are appended to the arrays the chart already has and drawn at
 * most once per animation frame, so a curve of 10,000+ points stays smooth;
 * only switching between linear and log scale builds a new chart.
 *
 * @example
 * chart.addPoints([{ iteration: 1, loss: 12.5, relativeError: 0.4 }]);
 * chart.clearPoints();
 */
import { css, html, LitElement, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uplotStyles from 'uplot/dist/uPlot.min.css?inline';
import type { LossPoint } from '../worker/protocol.ts';

/** Height of the plot area in CSS pixels. */
const PLOT_HEIGHT = 220;

export class LossChart extends LitElement {
  static override properties = {
    logScale: { type: Boolean, attribute: 'log-scale' },
    readout: { state: true },
  };

  static override styles = [
    unsafeCSS(uplotStyles),
    css`
      :host { display: block; }
      header { display: flex; gap: 1em; align-items: baseline; font-size: 0.9em; }
      .readout { font-variant-numeric: tabular-nums; color: #555; min-height: 1.2em; }
      .plot { min-height: ${PLOT_HEIGHT}px; }
    `,
  ];

  /** Whether the y axis is logarithmic. */
  declare logScale: boolean;
  declare readout: string;

  /** Iteration of every point, in order; read by tests and the benchmark. */
  readonly iterations: number[] = [];
  /** Loss of every point. */
  readonly losses: number[] = [];
  private readonly relativeErrors: number[] = [];
  private plot?: uPlot;
  private drawPending = false;
  private resizeObserver?: ResizeObserver;

  constructor() {
    super();
    this.logScale = false;
    this.readout = '';
  }

  addPoints(points: readonly LossPoint[]): void {
    for (const point of points) {
      this.iterations.push(point.iteration);
      this.losses.push(point.loss);
      this.relativeErrors.push(point.relativeError);
    }
    this.scheduleDraw();
  }

  clearPoints(): void {
    this.iterations.length = 0;
    this.losses.length = 0;
    this.relativeErrors.length = 0;
    this.readout = '';
    this.scheduleDraw();
  }

  override render() {
    return html`
      <header>
        <strong>Loss ‖V − W·H‖<sub>F</sub></strong>
        <label><input type="checkbox" .checked=${this.logScale} @change=${this.onScaleChange} /> log scale</label>
        <span class="readout" data-testid="loss-readout">${this.readout}</span>
      </header>
      <div class="plot"></div>
    `;
  }

  override firstUpdated(): void {
    this.buildPlot();
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize({ width: this.plotWidth(), height: PLOT_HEIGHT }));
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private onScaleChange(event: Event): void {
    this.logScale = (event.target as HTMLInputElement).checked;
    this.buildPlot();
  }

  private plotWidth(): number {
    return Math.max(200, this.clientWidth);
  }

  private buildPlot(): void {
    const container = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!container) return;
    this.plot?.destroy();
    const options: uPlot.Options = {
      width: this.plotWidth(),
      height: PLOT_HEIGHT,
      legend: { show: false },
      scales: { x: { time: false }, y: { distr: this.logScale ? 3 : 1 } },
      axes: [{ label: 'iteration' }, { label: 'loss', size: 70 }],
      series: [{}, { label: 'loss', stroke: '#3b528b', width: 1.5, points: { show: false } }],
      hooks: { setCursor: [(plot) => this.updateReadout(plot.cursor.idx)] },
    };
    this.plot = new uPlot(options, [this.iterations, this.losses], container);
  }

  private updateReadout(index: number | null | undefined): void {
    if (index === null || index === undefined || index >= this.iterations.length) {
      this.readout = '';
      return;
    }
    const loss = this.losses[index];
    const relative = this.relativeErrors[index];
    this.readout = `iteration ${this.iterations[index]}: loss ${loss.toPrecision(6)} (relative ${(relative * 100).toFixed(3)} %)`;
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.plot?.setData([this.iterations, this.losses]);
    });
  }
}

customElements.define('loss-chart', LossChart);

declare global {
  interface HTMLElementTagNameMap {
    'loss-chart': LossChart;
  }
}
