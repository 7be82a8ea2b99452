import { parseLoggingCommand, type LoggingCommand } from './agent/logging-commands';
import type { SecretMasker } from './secret-masker';

/** A variable a step set with `##vso[task.setvariable]`. */
export interface SetVariable {
  name: string;
  value: string;
  isOutput: boolean;
  isSecret: boolean;
  isReadOnly: boolean;
}

/** What the reporter is told about a line of step output. */
export type OutputLine =
  | { kind: 'text'; text: string }
  | { kind: 'command'; text: string }
  | { kind: 'section'; text: string }
  | { kind: 'debug'; text: string }
  | { kind: 'warning'; text: string }
  | { kind: 'error'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'progress'; percent: number; text: string };

/** Where interpreted lines go (the reporter, already masked). */
export type LineSink = (line: OutputLine) => void;

/** The effects a step asked for through logging commands, applied by the engine when it ends. */
export interface StepEffects {
  variables: SetVariable[];
  /** `artifact.upload`: artifact name and the path the step gave. */
  artifacts: Array<{ name: string; path: string }>;
  /** `results.publish`: the result files and their format. */
  testResults: Array<{ files: string[]; format: string; title: string }>;
  /** `task.addattachment` and `task.uploadsummary` (type {@link SUMMARY_ATTACHMENT_TYPE}): the files to keep. */
  attachments: Array<{ type: string; name: string; path: string }>;
  prependPath: string[];
  buildNumber?: string;
  completion?: { result: string; message: string };
  warnings: number;
  errors: number;
}

/** The commands a script step may use; everything else a script prints is shown neutralized and ignored. */
export const SCRIPT_COMMANDS: readonly string[] = ['task.setvariable', 'task.setsecret'];

/** The attachment type the agent files `task.uploadsummary` under. */
export const SUMMARY_ATTACHMENT_TYPE = 'DistributedTask.Core.Summary';

const FORMATTING = /^##\[(command|section|debug|warning|error|group|endgroup)\](.*)$/i;

/**
 * Interprets the output of one step line by line. A task's logging commands are all honoured (it is
 * the agent's contract); a script's only when the line starts with one of {@link SCRIPT_COMMANDS},
 * as a script that sets variables on the agent does. Secrets a step registers are masked from the
 * next line on. Nothing here prints: lines go to `sink`, which masks and neutralizes.
 */
export class StepOutput {
  readonly effects: StepEffects = {
    variables: [],
    artifacts: [],
    testResults: [],
    attachments: [],
    prependPath: [],
    warnings: 0,
    errors: 0,
  };
  private readonly ignoredCommands = new Set<string>();

  constructor(
    private readonly kind: 'task' | 'script',
    private readonly masker: SecretMasker,
    private readonly sink: LineSink,
    private readonly debug: boolean,
  ) {}

  /** Handles one line (with or without its newline). */
  line(raw: string): void {
    const line = raw.replace(/\r?\n$/, '');
    const trimmed = line.trimStart();
    if (trimmed.startsWith('##vso[')) {
      const command = parseLoggingCommand(trimmed);
      if (command && (this.kind === 'task' || SCRIPT_COMMANDS.includes(command.command))) {
        this.apply(command);
        return;
      }
      if (command && !this.ignoredCommands.has(command.command)) {
        this.ignoredCommands.add(command.command);
        this.sink({
          kind: 'note',
          text: `the logging command '${command.command}' is ignored in a script: outerloop run honours only ${SCRIPT_COMMANDS.join(' and ')} from scripts.`,
        });
      }
      this.sink({ kind: 'text', text: line });
      return;
    }
    const formatting = this.kind === 'task' ? FORMATTING.exec(line) : null;
    if (!formatting) {
      this.sink({ kind: 'text', text: line });
      return;
    }
    const [, tag, text] = formatting;
    switch (tag.toLowerCase()) {
      case 'command':
        this.sink({ kind: 'command', text });
        break;
      case 'section':
      case 'group':
        this.sink({ kind: 'section', text });
        break;
      case 'debug':
        if (this.debug) this.sink({ kind: 'debug', text });
        break;
      case 'warning':
        this.sink({ kind: 'warning', text });
        break;
      case 'error':
        this.sink({ kind: 'error', text });
        break;
      default:
        break;
    }
  }

  private apply(command: LoggingCommand): void {
    const p = command.properties;
    const effects = this.effects;
    switch (command.command) {
      case 'task.setvariable': {
        const name = (p['variable'] ?? '').trim();
        if (!name) {
          this.sink({ kind: 'warning', text: 'A step set a variable without a name (##vso[task.setvariable]); ignored.' });
          return;
        }
        const isSecret = p['issecret'] === 'true';
        if (isSecret) this.masker.add(command.message);
        effects.variables.push({
          name,
          value: command.message,
          isOutput: p['isoutput'] === 'true',
          isSecret,
          isReadOnly: p['isreadonly'] === 'true',
        });
        if (this.debug) this.sink({ kind: 'debug', text: `set variable ${name}${p['isoutput'] === 'true' ? ' (output)' : ''}` });
        return;
      }
      case 'task.setsecret':
        this.masker.add(command.message);
        return;
      case 'task.complete':
        effects.completion = { result: p['result'] ?? 'Succeeded', message: command.message };
        return;
      case 'task.logissue':
      case 'task.issue':
        if ((p['type'] ?? '').toLowerCase() === 'error') {
          effects.errors++;
          this.sink({ kind: 'error', text: command.message });
        } else {
          effects.warnings++;
          this.sink({ kind: 'warning', text: command.message });
        }
        return;
      case 'task.debug':
        if (this.debug) this.sink({ kind: 'debug', text: command.message });
        return;
      case 'task.setprogress':
        this.sink({ kind: 'progress', percent: Number(p['value'] ?? 0), text: command.message });
        return;
      case 'task.prependpath':
        if (command.message) effects.prependPath.push(command.message);
        return;
      case 'artifact.upload': {
        const name = p['artifactname'] ?? p['containerfolder'] ?? 'drop';
        effects.artifacts.push({ name, path: command.message });
        return;
      }
      case 'results.publish': {
        const files = (p['resultfiles'] ?? command.message ?? '')
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f);
        effects.testResults.push({ files, format: p['type'] ?? 'JUnit', title: p['testruntitle'] ?? '' });
        return;
      }
      case 'task.uploadsummary':
        if (command.message) effects.attachments.push({ type: SUMMARY_ATTACHMENT_TYPE, name: '', path: command.message });
        return;
      case 'task.addattachment':
        if (command.message && p['type'] && p['name'])
          effects.attachments.push({ type: p['type'], name: p['name'], path: command.message });
        return;
      case 'build.updatebuildnumber':
        if (command.message) effects.buildNumber = command.message;
        return;
      case 'build.addbuildtag':
        this.sink({ kind: 'note', text: `build tag: ${command.message}` });
        return;
      default:
        if (!this.ignoredCommands.has(command.command)) {
          this.ignoredCommands.add(command.command);
          this.sink({ kind: 'note', text: `the logging command '${command.command}' has no meaning in a local run; ignored.` });
        }
    }
  }
}
