/**
 * A single self-overwriting progress line on stderr, shown only when stderr is a terminal and the
 * run has lasted long enough to be worth it; CI logs stay clean.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly delayMs = 1000,
  ) {}

  update(phase: 'read' | 'analyse', done: number, total: number): void {
    if (!this.stream.isTTY || Date.now() - this.started < this.delayMs) return;
    const text = phase === 'read' ? `cachescope: reading files ${done}/${total}` : `cachescope: analysing ${total} files`;
    this.stream.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
