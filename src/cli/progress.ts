/**
 * A one-line progress display with rate and ETA, drawn on stderr only when stderr is a
 * terminal (or PLOTLINE_PROGRESS=1), so piped and scripted runs stay quiet.
 */
/** Ends the progress line that is on the terminal now, if any. */
let endDrawn: (() => void) | null = null;

/**
 * Ends a progress line that is on the terminal, so that a notice written now starts on a line
 * of its own instead of being glued to the bar; the bar is drawn again below it at its next update.
 */
export function interruptProgress(): void {
  endDrawn?.();
}

export class Progress {
  private readonly enabled: boolean;
  private label = "";
  private start = 0;
  private lastDraw = 0;
  private drawn = false;
  private readonly endLine = (): void => this.done();

  constructor(stream: NodeJS.WriteStream = process.stderr, force = process.env.PLOTLINE_PROGRESS === "1") {
    this.stream = stream;
    this.enabled = force || Boolean(stream.isTTY);
  }

  private readonly stream: NodeJS.WriteStream;

  update(label: string, done: number, total: number | null, unit = "rows"): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (label !== this.label) {
      this.label = label;
      this.start = now;
      this.lastDraw = 0;
    }
    const finished = total !== null && done >= total;
    if (!finished && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.start) / 1000, 1e-3);
    const rate = done / seconds;
    let line = `${label.padEnd(9)} `;
    if (total !== null && total > 0) {
      const width = 24;
      const filled = Math.round((Math.min(done, total) / total) * width);
      const eta = rate > 0 ? (total - done) / rate : 0;
      line += `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${unit}  ${formatRate(rate)}/s  ETA ${formatSeconds(eta)}`;
    } else {
      line += `${done} ${unit}  ${formatRate(rate)}/s`;
    }
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      endDrawn = this.endLine;
    } else this.stream.write(`${line}\n`);
    this.drawn = true;
  }

  /** Ends the current line so that the next output starts clean. */
  done(): void {
    if (this.enabled && this.drawn && this.stream.isTTY) this.stream.write("\n");
    this.drawn = false;
    if (endDrawn === this.endLine) endDrawn = null;
  }
}

function formatRate(rate: number): string {
  return rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(rate >= 10 ? 0 : 1);
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
}
