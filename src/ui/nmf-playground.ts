/**
 * `<nmf-playground>`: the whole page. Starts the training worker, loads the
 * dataset the URL and the dev server choose, starts training at once, and
 * routes the worker's events to the components and the user's commands to
 * the worker. Settings are mirrored into the URL. A click on a sample in
 * `<reconstruction-view>` or among a component's top samples makes it the
 * query of `<search-panel>`.
 */
import { css, html, LitElement, nothing } from 'lit';
import { createPlaygroundWorker, type PlaygroundWorkerHandle } from '../worker/client.ts';
import {
  EventType,
  reviveError,
  type DatasetSource,
  type EngineInfo,
  type Recovery,
  type Settings,
  type StatusEvent,
  type WorkerEvent,
} from '../worker/protocol.ts';
import type { ColormapName } from './colormap.ts';
import './component-tiles.ts';
import './dataset-picker.ts';
import './error-banner.ts';
import { collectDroppedFiles, type DroppedFiles } from './file-drop.ts';
import { FramePoller } from './frame-poller.ts';
import './loss-chart.ts';
import './reconstruction-view.ts';
import './search-panel.ts';
import './status-line.ts';
import type { TrainingCommand } from './training-controls.ts';
import './training-controls.ts';
import { formatPageOptions, readPageOptions, type PageOptions } from './url-state.ts';

/** Samples listed when a component tile is clicked. */
const TOP_SAMPLE_COUNT = 12;
/** Samples shown above their reconstruction. */
const SHOWN_SAMPLE_COUNT = 6;

export class NmfPlayground extends LitElement {
  static override properties = {
    status: { state: true },
    engine: { state: true },
    options: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: system-ui, sans-serif; max-width: 1200px; margin: 0 auto; padding: 0.8em; color: #222; }
    header { display: flex; gap: 1em; align-items: baseline; flex-wrap: wrap; }
    h1 { font-size: 1.2em; margin: 0; }
    .cpu-notice { background: #fff4e0; border: 1px solid #e0a040; padding: 0.4em 0.8em; border-radius: 4px; }
    section { margin: 0.6em 0; }
    .columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1em; }
    @media (max-width: 800px) { .columns { grid-template-columns: minmax(0, 1fr); } }
  `;

  declare status?: StatusEvent;
  declare engine?: EngineInfo;
  declare options: PageOptions;

  private worker?: PlaygroundWorkerHandle;
  /** Rows of V the last snapshot reconstructed. */
  private shownSamples: number[] = [];
  private poller?: FramePoller;
  private readonly onDragOver = (event: DragEvent) => event.preventDefault();
  private readonly onDrop = (event: DragEvent) => this.handleDrop(event);

  /** Notices about invalid URL parameters, shown on the banner once the page renders. */
  private readonly urlNotices: string[];

  constructor() {
    super();
    const { options, notices } = readPageOptions(location.search);
    this.options = options;
    this.urlNotices = notices;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('dragover', this.onDragOver);
    window.addEventListener('drop', this.onDrop);
    void this.boot();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('dragover', this.onDragOver);
    window.removeEventListener('drop', this.onDrop);
    this.poller?.stop();
    this.worker?.terminate();
  }

  override render() {
    const status = this.status;
    const engine = this.engine;
    const dataset = status?.dataset;
    return html`
      <header>
        <h1>catlab · NMF playground</h1>
        <a href=${`compare.html${this.options.limit ? `?limit=${this.options.limit}` : ''}`} data-testid="compare-link">Compare solvers</a>
        <status-line .status=${status}></status-line>
      </header>
      ${engine?.kind === 'cpu'
        ? html`<p class="cpu-notice" data-testid="cpu-notice">
            CPU mode: ${engine.cpuReason}. Training runs on the CPU reference engine on
            ${dataset ? `the first ${dataset.samples} images` : `at most the first ${engine.cpuSampleLimit} images`}, far slower than on a GPU.
          </p>`
        : nothing}
      <error-banner @resume=${this.onResume}></error-banner>
      <section><dataset-picker .progress=${status?.load} .info=${dataset} @files-chosen=${this.onFilesChosen} @cancel-load=${this.onCancelLoad}></dataset-picker></section>
      <section>
        <training-controls
          .state=${status?.state ?? 'starting'}
          .settings=${this.options.settings}
          .stepSize=${this.options.stepSize}
          ?debug=${this.options.debug}
          @command=${this.onCommand}
          @settings-change=${this.onSettingsChange}
          @step-size-change=${this.onStepSizeChange}
          @debug-lose-device=${this.onLoseDevice}
          @debug-validation-error=${this.onValidationError}
        ></training-controls>
      </section>
      <div class="columns">
        <section><loss-chart></loss-chart></section>
        <section><reconstruction-view @search-sample=${this.onSearchSample}></reconstruction-view></section>
      </div>
      <section><search-panel .samples=${dataset?.samples}></search-panel></section>
      <section>
        <component-tiles .colormap=${this.options.colormap} @colormap-change=${this.onColormapChange} @sample-chosen=${this.onSampleChosen}></component-tiles>
      </section>
    `;
  }

  override firstUpdated(): void {
    if (this.urlNotices.length > 0) {
      for (const notice of this.urlNotices) this.showError(new Error(notice), 'none');
      // Rewrite the URL to the values actually used, so a shared link matches the run.
      this.setOptions(this.options);
    }
    const tiles = this.renderRoot.querySelector('component-tiles')!;
    tiles.topSamplesSource = (component) => this.api().topSamples(component, TOP_SAMPLE_COUNT);
    const search = this.renderRoot.querySelector('search-panel')!;
    search.searchSource = (request) => this.api().search(request);
    search.exportSource = () => this.api().exportBundle();
  }

  private api() {
    if (!this.worker) throw new Error('the training worker is not started');
    return this.worker.api;
  }

  private async boot(): Promise<void> {
    this.worker = createPlaygroundWorker((error) => this.showError(error, 'reload'));
    const api = this.worker.api;
    this.poller = new FramePoller(
      (cursor) => api.poll(cursor),
      (events) => this.handleEvents(events),
      (error) => this.showError(error, 'reload'),
    );
    try {
      this.engine = await api.start({ forceCpu: this.options.forceCpu, debug: this.options.debug });
      await api.configure(this.options.settings);
      this.poller.start();
    } catch (error) {
      this.showError(error, 'reload');
      return;
    }
    await this.loadAndTrain({ kind: 'auto', size: this.options.size, limit: this.options.limit });
  }

  private async loadAndTrain(source: DatasetSource): Promise<void> {
    try {
      await this.api().load(source);
      await this.api().play();
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') return;
      this.showError(error, 'none');
    }
  }

  private handleEvents(events: WorkerEvent[]): void {
    const chart = this.renderRoot.querySelector('loss-chart');
    for (const event of events) {
      switch (event.type) {
        case EventType.status:
          this.status = event;
          break;
        case EventType.losses:
          if (event.from === 0) chart?.clearPoints();
          chart?.addPoints(event.points);
          break;
        case EventType.snapshot:
          this.shownSamples = event.samples;
          this.renderRoot.querySelector('component-tiles')?.showSnapshot(event);
          this.renderRoot.querySelector('reconstruction-view')?.showSnapshot(event);
          this.renderRoot.querySelector('search-panel')?.snapshotArrived();
          break;
        case EventType.error:
          this.showError(reviveError(event.error), event.recovery);
          break;
      }
    }
  }

  private showError(error: unknown, recovery: Recovery): void {
    const banner = this.renderRoot.querySelector('error-banner');
    const asError = error instanceof Error ? error : new Error(String(error));
    banner?.add(asError, recovery);
  }

  /** Runs a worker call and shows its failure on the banner. */
  private async call(task: () => Promise<unknown>): Promise<void> {
    try {
      await task();
    } catch (error) {
      this.showError(error, 'none');
    }
  }

  private onCommand(event: CustomEvent<TrainingCommand>): void {
    const detail = event.detail;
    const api = this.api();
    switch (detail.command) {
      case 'play':
        void this.call(() => api.play());
        break;
      case 'pause':
        void this.call(() => api.pause());
        break;
      case 'step':
        void this.call(() => api.step(detail.iterations));
        break;
      case 'reset':
        void this.call(() => api.reset());
        break;
      case 'new-seed':
        void this.applySettings({ seed: Math.floor(Math.random() * 0x100000000) });
        break;
    }
  }

  private onSettingsChange(event: CustomEvent<Partial<Settings>>): void {
    void this.applySettings(event.detail);
  }

  private async applySettings(changes: Partial<Settings>): Promise<void> {
    try {
      await this.api().configure(changes);
      this.setOptions({ ...this.options, settings: { ...this.options.settings, ...changes } });
    } catch (error) {
      this.showError(error, 'none');
      // Re-render the controls with the settings still in force. A new settings
      // object makes Lit update them, and their live() bindings overwrite the rejected text.
      this.options = { ...this.options, settings: { ...this.options.settings } };
    }
  }

  private onStepSizeChange(event: CustomEvent<number>): void {
    this.setOptions({ ...this.options, stepSize: event.detail });
  }

  private onColormapChange(event: CustomEvent<ColormapName>): void {
    this.setOptions({ ...this.options, colormap: event.detail });
  }

  private setOptions(options: PageOptions): void {
    this.options = options;
    history.replaceState(null, '', `${location.pathname}${formatPageOptions(options)}${location.hash}`);
  }

  private onSearchSample(event: CustomEvent<number>): void {
    this.renderRoot.querySelector('search-panel')?.searchFor({ index: event.detail });
  }

  /** Puts a sample first among those shown above their reconstruction, and searches for it. */
  private onSampleChosen(event: CustomEvent<number>): void {
    this.renderRoot.querySelector('search-panel')?.searchFor({ index: event.detail });
    const others = this.shownSamples.filter((sample) => sample !== event.detail);
    const samples = [event.detail, ...others].slice(0, SHOWN_SAMPLE_COUNT);
    void this.call(() => this.api().chooseSamples(samples));
  }

  private onResume(): void {
    void this.call(async () => {
      await this.api().resume();
      this.renderRoot.querySelector('error-banner')?.dismissAll('resume');
    });
  }

  private onLoseDevice(): void {
    void this.call(() => this.api().debugLoseDevice());
  }

  private onValidationError(): void {
    void this.call(() => this.api().debugRaiseValidationError());
  }

  private onFilesChosen(event: CustomEvent<DroppedFiles>): void {
    const { files, paths } = event.detail;
    void this.loadAndTrain({ kind: 'files', files, paths, size: this.options.size, limit: this.options.limit });
  }

  private onCancelLoad(): void {
    void this.call(() => this.api().cancelLoad());
  }

  private handleDrop(event: DragEvent): void {
    event.preventDefault();
    if (!event.dataTransfer) return;
    collectDroppedFiles(event.dataTransfer).then(
      ({ files, paths }) => {
        if (files.length > 0) void this.loadAndTrain({ kind: 'files', files, paths, size: this.options.size, limit: this.options.limit });
      },
      (error: unknown) => this.showError(new Error(`reading the dropped files failed: ${String(error)}`), 'none'),
    );
  }
}

customElements.define('nmf-playground', NmfPlayground);

declare global {
  interface HTMLElementTagNameMap {
    'nmf-playground': NmfPlayground;
  }
}
