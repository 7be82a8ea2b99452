/**
 * Reads the agent's logging commands (`##vso[area.event key=value;…]message`) from a task's output,
 * the contract between a task and the Azure Pipelines agent.
 */

/** One parsed logging command. */
export interface LoggingCommand {
  /** `area.event`, e.g. `task.setvariable`, lower-cased. */
  command: string;
  properties: Record<string, string>;
  message: string;
}

const COMMAND_LINE = /##vso\[([A-Za-z0-9]+\.[A-Za-z0-9]+)((?:\s+[^\]]*)?)\](.*)$/;

/** Undoes the agent's escaping of property values and messages. */
export function unescapeCommandValue(value: string): string {
  return value.replace(/%3B/gi, ';').replace(/%5D/gi, ']').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/gi, '%');
}

/** Parses one output line; undefined when it holds no logging command. */
export function parseLoggingCommand(line: string): LoggingCommand | undefined {
  const match = COMMAND_LINE.exec(line.replace(/\r?\n$/, ''));
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of match[2].trim().split(';')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toLowerCase();
    properties[key] = eq < 0 ? '' : unescapeCommandValue(pair.slice(eq + 1));
  }
  return { command: match[1].toLowerCase(), properties, message: unescapeCommandValue(match[3]) };
}

/** Parses every logging command in a task's output. */
export function parseLoggingCommands(output: string): LoggingCommand[] {
  const commands: LoggingCommand[] = [];
  for (const line of output.split('\n')) {
    const command = parseLoggingCommand(line);
    if (command) commands.push(command);
  }
  return commands;
}
