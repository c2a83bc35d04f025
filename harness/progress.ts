/**
 * One status line on stderr, rewritten in place on a terminal (every 250 ms); without a
 * terminal (CI, jest) a plain line every 5 s instead.
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private readonly tty = process.stderr.isTTY === true;

  constructor(
    private readonly line: () => string,
    private readonly enabled: boolean,
  ) {}

  start(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => this.print(), this.tty ? 250 : 5000);
    this.timer.unref();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.print();
    if (this.tty) process.stderr.write('\n');
  }

  private print(): void {
    process.stderr.write(this.tty ? `\r\x1b[K${this.line()}` : `${this.line()}\n`);
  }
}

/** Prints a phase of the run on stderr (setup, settling, checking ...). */
export function note(enabled: boolean, message: string): void {
  if (enabled) process.stderr.write(`harness: ${message}\n`);
}
