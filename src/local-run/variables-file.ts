import { FileError } from '../common/errors';
import { describeEntry, loadPipelineYaml } from './pipeline-yaml';

/**
 * `--variables-file`: a YAML mapping of variables, the local stand-in for variable groups and
 * library secrets. `name: value` is a variable; `name: { value: …, secret: true }` a secret.
 */
export function readVariablesFile(text: string, file: string): { variables: Record<string, string>; secrets: Record<string, string> } {
  const doc = loadPipelineYaml(text, file);
  const variables: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  if (doc === undefined || doc === '') return { variables, secrets };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new FileError(file, 'a variables file is a mapping of name: value.');
  for (const [name, value] of Object.entries(doc)) {
    const where = describeEntry(doc, name) ?? file;
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new FileError(where, `'${name}' is not a variable name.`);
    if (typeof value === 'string') {
      variables[name] = value;
      continue;
    }
    if (Array.isArray(value) || typeof value['value'] !== 'string')
      throw new FileError(where, `variable '${name}' must be a value, or a mapping with value: (and secret: true).`);
    for (const key of Object.keys(value))
      if (key !== 'value' && key !== 'secret')
        throw new FileError(where, `variable '${name}': '${key}' is not a key here (value, secret).`);
    const secret = typeof value['secret'] === 'string' && value['secret'].trim().toLowerCase() === 'true';
    (secret ? secrets : variables)[name] = value['value'];
  }
  return { variables, secrets };
}
