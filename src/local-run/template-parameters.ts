import { FileError } from '../common/errors';
import { toText, type Value } from './expression-eval';
import { ExpressionError } from './expression-parser';
import { describeEntry, type YamlValue } from './pipeline-yaml';

/**
 * The `parameters:` of a pipeline or a template: declarations (name, type, default, values) and
 * the binding of the values a caller gives, converted to the declared types as the service does.
 */

/** The parameter types of the YAML schema. */
export const PARAMETER_TYPES = [
  'string',
  'number',
  'boolean',
  'object',
  'step',
  'stepList',
  'job',
  'jobList',
  'deployment',
  'deploymentList',
  'stage',
  'stageList',
] as const;

/** One declared parameter. */
export interface ParameterDeclaration {
  name: string;
  type: (typeof PARAMETER_TYPES)[number];
  default?: Value;
  values?: Value[];
  /** `file:line` of the declaration, for messages. */
  where: string;
}

function isMapping(value: unknown): value is Record<string, YamlValue> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads `parameters:`: the list form (`- name: env` with `type`, `default`, `values`) or the older
 * mapping form (`env: default`), whose parameters take any value.
 */
export function readParameterDeclarations(node: YamlValue | undefined, file: string): ParameterDeclaration[] {
  if (node === undefined || node === '') return [];
  if (isMapping(node)) {
    return Object.entries(node).map(([name, value]) => ({
      name,
      type: 'object' as const,
      default: value,
      where: describeEntry(node, name) ?? file,
    }));
  }
  if (!Array.isArray(node)) throw new FileError(describeEntry(node) ?? file, 'parameters: must be a list of parameters (- name: …).');
  return node.map((item, i) => {
    const where = describeEntry(node, i) ?? file;
    if (!isMapping(item)) throw new FileError(where, 'a parameter must be a mapping with a name (- name: env).');
    for (const key of Object.keys(item)) {
      if (!['name', 'displayName', 'type', 'default', 'values'].includes(key))
        throw new FileError(where, `'${key}' is not a key of a parameter (it has name, displayName, type, default, values).`);
    }
    const name = typeof item['name'] === 'string' ? item['name'].trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new FileError(
        where,
        `a parameter needs a name of letters, digits and _, not '${typeof item['name'] === 'string' ? item['name'] : '…'}'.`,
      );
    const type = typeof item['type'] === 'string' ? item['type'].trim() : 'string';
    const known = PARAMETER_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
    if (!known)
      throw new FileError(where, `parameter '${name}' has the type '${type}', which is not one of ${PARAMETER_TYPES.join(', ')}.`);
    const values = item['values'];
    if (values !== undefined && !Array.isArray(values)) throw new FileError(where, `parameter '${name}': values must be a list.`);
    const declaration: ParameterDeclaration = { name, type: known, where, values };
    if ('default' in item) declaration.default = convertParameter(declaration, item['default']);
    return declaration;
  });
}

/** Converts a given value to the declared type; throws {@link ExpressionError} naming the parameter. */
export function convertParameter(declaration: ParameterDeclaration, value: Value): Value {
  const { name, type } = declaration;
  const isCollection = value !== null && typeof value === 'object';
  const shape = (want: 'mapping' | 'sequence'): Value => {
    const ok = want === 'sequence' ? Array.isArray(value) || value === '' || value === null : isCollection && !Array.isArray(value);
    if (!ok) throw new ExpressionError(`parameter '${name}' is a ${type} and takes a ${want}.`);
    return want === 'sequence' && !Array.isArray(value) ? [] : value;
  };
  let converted: Value;
  switch (type) {
    case 'string':
      if (isCollection)
        throw new ExpressionError(
          `parameter '${name}' is a string and takes one value, not a ${Array.isArray(value) ? 'sequence' : 'mapping'}.`,
        );
      converted = typeof value === 'boolean' ? (value ? 'true' : 'false') : toText(value);
      break;
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isNaN(n))
        throw new ExpressionError(`parameter '${name}' is a number, and '${isCollection ? '…' : toText(value)}' is not one.`);
      converted = n;
      break;
    }
    case 'boolean': {
      if (typeof value === 'boolean') converted = value;
      else if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) converted = value.trim().toLowerCase() === 'true';
      else
        throw new ExpressionError(`parameter '${name}' is a boolean and takes true or false, not '${isCollection ? '…' : toText(value)}'.`);
      break;
    }
    case 'step':
    case 'job':
    case 'deployment':
    case 'stage':
      converted = shape('mapping');
      break;
    case 'stepList':
    case 'jobList':
    case 'deploymentList':
    case 'stageList':
      converted = shape('sequence');
      break;
    default:
      converted = value;
  }
  if (
    declaration.values &&
    !declaration.values.some((allowed) => !isCollectionValue(allowed) && toText(allowed) === toText(converted as Value))
  ) {
    throw new ExpressionError(
      `parameter '${name}' may be ${declaration.values.map((v) => `'${isCollectionValue(v) ? '…' : toText(v)}'`).join(', ')}, not '${isCollectionValue(converted) ? '…' : toText(converted)}'.`,
    );
  }
  return converted;
}

function isCollectionValue(value: Value): boolean {
  return value !== null && typeof value === 'object';
}

/**
 * Binds the values a caller gives (`given`, names matched ignoring case) to the declarations:
 * defaults fill the rest; a parameter with neither, or a value for a parameter the template does
 * not declare, is an error. `where` names the caller (`file:line`), `owner` the declaring file.
 */
export function bindParameters(
  declarations: ParameterDeclaration[],
  given: Record<string, Value>,
  where: string,
  owner: string,
): Record<string, Value> {
  const bound: Record<string, Value> = {};
  const byName = new Map(declarations.map((d) => [d.name.toLowerCase(), d]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name.toLowerCase())) {
      const known = declarations.map((d) => d.name).join(', ') || 'none';
      throw new FileError(where, `'${name}' is not a parameter of ${owner} (it declares ${known}).`);
    }
  }
  const givenLower = new Map(Object.entries(given).map(([k, v]) => [k.toLowerCase(), v]));
  for (const d of declarations) {
    const value = givenLower.get(d.name.toLowerCase());
    if (value === undefined) {
      if (d.default === undefined) throw new FileError(where, `parameter '${d.name}' of ${owner} needs a value: it has no default.`);
      bound[d.name] = d.default;
      continue;
    }
    try {
      bound[d.name] = convertParameter(d, value);
    } catch (err) {
      if (err instanceof ExpressionError) throw new FileError(where, err.message);
      throw err;
    }
  }
  return bound;
}
