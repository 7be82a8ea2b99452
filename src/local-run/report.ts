import { neutralizeLoggingCommands } from '../process/neutralize';
import type { StepSummary } from './run-outputs';
import type { SecretMasker } from './secret-masker';
import { markdownToPlainText } from './summary-text';
import type { OutputLine } from './step-output';

/** How a step (or the run) ended: the agent's task results, plus Skipped. */
export type StepResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped';

/** A step as the report shows it. */
export interface StepView {
  /** 1-based position among all steps of the file. */
  index: number;
  total: number;
  /** `Stage › Job › Step display name` (implicit stage and job left out). */
  label: string;
  /** What runs: `DockerBuildTag@1`, `script`, `bash`, `publish`, `checkout`. */
  what: string;
}

/** A finished (or skipped) step. */
export interface StepRecord {
  view: StepView;
  result: StepResult;
  /** Undefined when the step did not run. */
  durationMs?: number;
  /** The failure message, or why the step was skipped. */
  message?: string;
}

/** What the run tells whoever watches it. */
export interface RunReporter {
  start(header: { file: string; buildNumber: string; steps: number }): void;
  stepStarted(view: StepView): void;
  line(view: StepView, line: OutputLine): void;
  stepFinished(record: StepRecord): void;
  finish(summary: { result: StepResult; durationMs: number; records: StepRecord[]; summaries?: readonly StepSummary[] }): void;
  /** Stops timers; called once at the very end. */
  close(): void;
}

/** Where the report is written. */
export interface ReportStream {
  write(text: string): unknown;
  /** The terminal's width, when it is one (a TTY stream has it). */
  columns?: number;
}

/**
 * `text` cut to at most `width` characters (code points), ending with `…` when cut. The live status
 * line must fit on one row: a wrapped one cannot be cleared with `\r`, and piles up.
 */
export function fitToWidth(text: string, width: number | undefined): string {
  if (!width || width < 2) return text;
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** `0.4s`, `12.3s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

const COLOURS = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1 } as const;
type Colour = keyof typeof COLOURS;

/** ANSI colouring that can be switched off. */
export class Paint {
  constructor(readonly enabled: boolean) {}

  colour(name: Colour, text: string): string {
    return this.enabled ? `\x1b[${COLOURS[name]}m${text}\x1b[0m` : text;
  }
}

const RESULT_STYLE: Record<StepResult, { mark: string; plain: string; colour: Colour }> = {
  Succeeded: { mark: '✔', plain: 'succeeded', colour: 'green' },
  SucceededWithIssues: { mark: '!', plain: 'succeeded with issues', colour: 'yellow' },
  Failed: { mark: '✘', plain: 'failed', colour: 'red' },
  Canceled: { mark: '■', plain: 'canceled', colour: 'magenta' },
  Skipped: { mark: '-', plain: 'skipped', colour: 'grey' },
};

/** The closing summary, like the run view: each step, its result and its duration. Pure. */
export function formatSummary(
  summary: { result: StepResult; durationMs: number; records: StepRecord[]; buildNumber: string },
  paint: Paint,
): string {
  const width = Math.max(...summary.records.map((r) => r.result.length), 9);
  const lines = ['', paint.colour('bold', `Summary of build ${summary.buildNumber}`)];
  for (const record of summary.records) {
    const style = RESULT_STYLE[record.result];
    const duration = record.durationMs === undefined ? '' : formatDuration(record.durationMs);
    const head = `  ${paint.colour(style.colour, record.result.padEnd(width))}  ${duration.padStart(7)}  ${record.view.label} (${record.view.what})`;
    lines.push(head);
    if (record.message && record.result !== 'Succeeded')
      lines.push(paint.colour('grey', `  ${' '.repeat(width)}           ${record.message.split('\n')[0]}`));
  }
  const counts = (Object.keys(RESULT_STYLE) as StepResult[])
    .map((r) => [r, summary.records.filter((x) => x.result === r).length] as const)
    .filter(([, n]) => n > 0)
    .map(([r, n]) => `${n} ${RESULT_STYLE[r].plain}`)
    .join(', ');
  lines.push(
    '',
    `${paint.colour(RESULT_STYLE[summary.result].colour, `Result: ${summary.result}`)} in ${formatDuration(summary.durationMs)} (${counts})`,
    '',
  );
  return lines.join('\n');
}

/** The summaries the steps uploaded, as plain text, before the run's own summary. Pure. */
export function formatStepSummaries(summaries: readonly StepSummary[], paint: Paint): string {
  const blocks = summaries.map((s) => markdownToPlainText(s.markdown).trimEnd());
  return ['', paint.colour('bold', 'What the steps did'), '', blocks.join('\n\n'), ''].join('\n');
}

/**
 * The reporter for `outerloop run`. Every character goes through the secret masker and the `##vso[`
 * neutralizer first, so neither a secret nor a logging command can reach the terminal, or the log
 * of an agent that runs `outerloop run` itself. On a TTY it adds colour and a live status line
 * (step, elapsed time, the task's progress); otherwise it writes plain lines only.
 */
export class ConsoleReporter implements RunReporter {
  private current?: { view: StepView; started: number; progress?: string };
  private statusShown = false;
  private timer?: NodeJS.Timeout;
  private buildNumber = '';
  private readonly paint: Paint;

  constructor(
    private readonly out: ReportStream,
    private readonly masker: SecretMasker,
    private readonly options: { tty: boolean; colour: boolean; now?: () => number },
  ) {
    this.paint = new Paint(options.colour);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private write(text: string): void {
    this.clearStatus();
    this.out.write(neutralizeLoggingCommands(this.masker.mask(text)));
    this.drawStatus();
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    this.out.write('\r\x1b[2K');
    this.statusShown = false;
  }

  private drawStatus(): void {
    if (!this.options.tty || !this.current) return;
    const elapsed = formatDuration(this.now() - this.current.started);
    const { view, progress } = this.current;
    // Each part is masked before it is cut, so that a cut never leaves part of a secret showing.
    // The label gives way first, so the elapsed time and the progress stay in view; one column is
    // kept free, since a character in the last column makes some terminals wrap.
    const clean = (text: string): string => neutralizeLoggingCommands(this.masker.mask(text));
    const head = `▶ [${view.index}/${view.total}] `;
    const tail = clean(`  ${elapsed}${progress ? `  ${progress}` : ''}`);
    const width = this.out.columns ? this.out.columns - 1 : undefined;
    const room = width === undefined ? undefined : Math.max(width - Array.from(head + tail).length, 8);
    const line = fitToWidth(`${head}${fitToWidth(clean(view.label), room)}${tail}`, width);
    this.out.write(this.paint.colour('cyan', line));
    this.statusShown = true;
  }

  start(header: { file: string; buildNumber: string; steps: number }): void {
    this.buildNumber = header.buildNumber;
    this.write(
      `${this.paint.colour('bold', `outerloop run ${header.file}`)}: build ${header.buildNumber}, ${header.steps} step${header.steps === 1 ? '' : 's'}\n`,
    );
  }

  stepStarted(view: StepView): void {
    this.current = { view, started: this.now() };
    this.write(
      `\n${this.paint.colour('blue', `==> [${view.index}/${view.total}] ${view.label}`)} ${this.paint.colour('grey', `(${view.what})`)}\n`,
    );
    if (this.options.tty && !this.timer) {
      this.timer = setInterval(() => {
        this.clearStatus();
        this.drawStatus();
      }, 1000);
      this.timer.unref();
    }
  }

  line(_view: StepView, line: OutputLine): void {
    switch (line.kind) {
      case 'text':
        this.write(`${line.text}\n`);
        break;
      case 'command':
        this.write(`${this.paint.colour('cyan', `> ${line.text}`)}\n`);
        break;
      case 'section':
        this.write(`${this.paint.colour('bold', line.text)}\n`);
        break;
      case 'debug':
        this.write(`${this.paint.colour('grey', `debug: ${line.text}`)}\n`);
        break;
      case 'warning':
        this.write(`${this.paint.colour('yellow', `warning: ${line.text}`)}\n`);
        break;
      case 'error':
        this.write(`${this.paint.colour('red', `error: ${line.text}`)}\n`);
        break;
      case 'note':
        this.write(`${this.paint.colour('grey', `outerloop: ${line.text}`)}\n`);
        break;
      case 'progress':
        if (this.current) this.current.progress = `${line.percent}% ${line.text}`.trim();
        if (!this.options.tty) this.write(`progress: ${line.percent}% ${line.text}\n`);
        break;
    }
  }

  stepFinished(record: StepRecord): void {
    const style = RESULT_STYLE[record.result];
    this.current = undefined;
    if (record.durationMs === undefined) {
      // Never started: one line saying why.
      this.write(
        `\n${this.paint.colour('grey', `--- [${record.view.index}/${record.view.total}] ${record.view.label} (${record.view.what}): ${style.plain}${record.message ? `, ${record.message}` : ''}`)}\n`,
      );
      return;
    }
    const mark = this.options.tty ? style.mark : '<==';
    const tail = record.message && record.result !== 'Succeeded' ? `: ${record.message}` : '';
    this.write(`${this.paint.colour(style.colour, `${mark} ${record.result} in ${formatDuration(record.durationMs)}${tail}`)}\n`);
  }

  finish(summary: { result: StepResult; durationMs: number; records: StepRecord[]; summaries?: readonly StepSummary[] }): void {
    if (summary.summaries && summary.summaries.length > 0) this.write(formatStepSummaries(summary.summaries, this.paint));
    this.write(formatSummary({ ...summary, buildNumber: this.buildNumber }, this.paint));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearStatus();
  }
}
