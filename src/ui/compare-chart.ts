/**
 * `<compare-chart>`: the loss of every run of the compare page in one uPlot
 * chart, one series per run, against the iteration or against the seconds
 * each run has trained. Points are appended and drawn at most once per
 * animation frame. Changing the number of runs or the axis builds a new chart.
 *
 * @example
 * chart.setRunCount(3);
 * chart.addPoints(0, [{ iteration: 1, loss: 12.5, seconds: 0.02 }]);
 */
import { css, html, LitElement, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uplotStyles from 'uplot/dist/uPlot.min.css?inline';
import type { RunPoint } from '../worker/protocol.ts';

/** Height of the plot area in CSS pixels. */
const PLOT_HEIGHT = 240;
/** Colour of each run, shared with the run table and the tiles. */
export const RUN_COLOURS = ['#3b528b', '#d1495b', '#21908d', '#e6a100'] as const;

/** The points of one run that the chart draws. */
export interface RunSeries {
  iterations: number[];
  seconds: number[];
  losses: number[];
}

export class CompareChart extends LitElement {
  static override properties = {
    xAxis: { type: String, attribute: 'x-axis' },
  };

  static override styles = [
    unsafeCSS(uplotStyles),
    css`
      :host { display: block; }
      .plot { min-height: ${PLOT_HEIGHT}px; }
    `,
  ];

  /** Horizontal axis: `iteration` or `seconds`. */
  declare xAxis: 'iteration' | 'seconds';
  /** Points of every run; read by the e2e tests. */
  readonly series: RunSeries[] = [];
  private plot?: uPlot;
  private drawPending = false;
  private resizeObserver?: ResizeObserver;

  constructor() {
    super();
    this.xAxis = 'iteration';
  }

  /** Label of the plot's horizontal axis; read by the e2e tests. */
  get xLabel(): string | undefined {
    const label = this.plot?.axes[0]?.label;
    return typeof label === 'string' ? label : undefined;
  }

  /** Clears every series and keeps `count` empty ones. */
  setRunCount(count: number): void {
    this.series.length = 0;
    for (let i = 0; i < count; i++) this.series.push({ iterations: [], seconds: [], losses: [] });
    this.buildPlot();
  }

  addPoints(run: number, points: readonly Pick<RunPoint, 'iteration' | 'seconds' | 'loss'>[]): void {
    const series = this.series[run];
    if (!series) return;
    for (const point of points) {
      series.iterations.push(point.iteration);
      series.seconds.push(point.seconds);
      series.losses.push(point.loss);
    }
    this.scheduleDraw();
  }

  override render() {
    return html`<div class="plot"></div>`;
  }

  override firstUpdated(): void {
    this.buildPlot();
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize({ width: this.plotWidth(), height: PLOT_HEIGHT }));
    this.resizeObserver.observe(this);
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('xAxis') && this.plot) this.buildPlot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private plotWidth(): number {
    return Math.max(200, this.clientWidth);
  }

  /** Joins the runs' series on one x array, with null where a run has no point at that x. */
  private alignedData(): uPlot.AlignedData {
    if (this.series.length === 0) return [[]];
    const tables = this.series.map((run) => [this.xAxis === 'seconds' ? run.seconds : run.iterations, run.losses] as uPlot.AlignedData);
    return uPlot.join(tables);
  }

  private buildPlot(): void {
    const container = this.renderRoot.querySelector<HTMLElement>('.plot');
    if (!container) return;
    this.plot?.destroy();
    const series: uPlot.Series[] = [{}];
    this.series.forEach((_, i) => {
      series.push({ label: `run ${i + 1}`, stroke: RUN_COLOURS[i % RUN_COLOURS.length], width: 1.5, spanGaps: true, points: { show: false } });
    });
    const options: uPlot.Options = {
      width: this.plotWidth(),
      height: PLOT_HEIGHT,
      scales: { x: { time: false } },
      axes: [{ label: this.xAxis === 'seconds' ? 'seconds' : 'iteration' }, { label: 'loss', size: 70 }],
      series,
    };
    this.plot = new uPlot(options, this.alignedData(), container);
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.plot?.setData(this.alignedData());
    });
  }
}

customElements.define('compare-chart', CompareChart);

declare global {
  interface HTMLElementTagNameMap {
    'compare-chart': CompareChart;
  }
}
