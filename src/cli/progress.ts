/**
 * A progress bar on stderr. On a terminal it redraws one line; elsewhere
 * (CI logs, pipes) it prints a line at every tenth of the way.
 */
export class ProgressBar {
  private readonly tty: boolean;
  private lastTenth = -1;
  private readonly start = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY);
  }

  /** Shows `done` of `total`, with `detail` (e.g. the loss) after the count. */
  update(done: number, detail = ''): void {
    const fraction = this.total > 0 ? Math.min(done / this.total, 1) : 1;
    const seconds = (performance.now() - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const line = `${this.label} ${bar(fraction)} ${done}/${this.total} ${rate.toFixed(1)}/s${detail ? `  ${detail}` : ''}`;
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K`);
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${line}\n`);
    }
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.tty) this.stream.write('\n');
  }
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
