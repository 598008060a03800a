/**
 * Pulls the worker's events once per animation frame, and only after the
 * previous poll returned, so the page never receives more than it can draw
 * and nothing queues while the tab is hidden.
 */
import { EventType, type PollCursor, type WorkerEvent } from '../worker/protocol.ts';

export class FramePoller {
  /** Position of the page in the event streams, sent with every poll. */
  readonly cursor: PollCursor = { run: 0, losses: 0, snapshot: 0, errors: 0 };
  private running = false;
  private frame = 0;

  constructor(
    private readonly poll: (cursor: PollCursor) => Promise<WorkerEvent[]>,
    private readonly handle: (events: WorkerEvent[]) => void,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.frame = requestAnimationFrame(() => this.tick());
  }

  stop(): void {
    this.running = false;
    cancelAnimationFrame(this.frame);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      const events = await this.poll({ ...this.cursor });
      this.advance(events);
      this.handle(events);
    } catch (error) {
      // A failed poll means the worker is gone; polling on would repeat the same error every frame.
      this.stop();
      this.onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.running) this.frame = requestAnimationFrame(() => this.tick());
  }

  private advance(events: WorkerEvent[]): void {
    for (const event of events) {
      if (event.type === EventType.losses) {
        this.cursor.run = event.run;
        this.cursor.losses = event.from + event.points.length;
      } else if (event.type === EventType.snapshot) {
        this.cursor.snapshot = event.sequence;
      } else if (event.type === EventType.error) {
        this.cursor.errors++;
      }
    }
  }
}
