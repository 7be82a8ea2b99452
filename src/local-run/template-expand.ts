import { dirname, isAbsolute, join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { FileError } from '../common/errors';
import { compileCondition, evaluate, toBoolean, toText, type Value } from './expression-eval';
import { ExpressionError } from './expression-parser';
import { copyLocation, describeEntry, entryLine, loadPipelineYaml, locationOf, recordEntryLine, type YamlValue } from './pipeline-yaml';
import { isMapping, parseDirective, splitTemplateText, toYaml, type Directive } from './template-syntax';
import { bindParameters, readParameterDeclarations } from './template-parameters';

/**
 * Compile-time expansion, before anything runs, as the service does it: `parameters:`, `${{ }}`
 * expressions in keys and values, `${{ if }}`/`${{ elseif }}`/`${{ else }}`/`${{ each }}`/
 * `${{ insert }}`, and step, job, stage and variable templates and `extends:`, with the service's
 * limits (100 files, 20 levels of nesting, 10 MB). The result is the "full YAML" the service
 * would run; its mappings and sequences keep the file and line they came from.
 */

/** The service's limits on templates. */
export const TEMPLATE_LIMITS = { files: 100, depth: 20, bytes: 10 * 1024 * 1024 };

/** What expansion needs from outside. */
export interface ExpandOptions {
  /** Reads a file by absolute path. */
  readFile(path: string): string;
  /** The repository root: templates named `/path.yml` start there. */
  repositoryRoot: string;
  /** How a file is named in messages (relative to where the user stands). */
  display(path: string): string;
  /** `--param name=value`: the pipeline's runtime parameters. */
  parameters: Record<string, string>;
  /** Variables known before the run starts (predefined and `--var`), for `${{ variables.x }}`. */
  variables: Record<string, string>;
}

/** The expanded pipeline. */
export interface ExpandedPipeline {
  document: Record<string, YamlValue>;
  /** Every file read, the pipeline's first (absolute paths). */
  files: string[];
}

interface Scope {
  /** Display name of the file being expanded, and its absolute folder. */
  file: string;
  dir: string;
  parameters: Record<string, Value>;
  /** `each` loop names, lower-cased. */
  locals: Map<string, Value>;
  /** Variables visible to `${{ variables.x }}`, lower-cased names. */
  variables: Map<string, string>;
  depth: number;
}

const LIST_KINDS = ['stages', 'jobs', 'steps', 'variables'] as const;
type ListKind = (typeof LIST_KINDS)[number];

class Expander {
  private readonly files: string[] = [];
  private readonly parsed = new Map<string, YamlValue | undefined>();
  private size = 0;

  constructor(private readonly options: ExpandOptions) {}

  /** Reads a file once (counted against the 100-file limit). */
  private load(path: string, where: string): YamlValue | undefined {
    if (this.parsed.has(path)) return this.parsed.get(path);
    let text: string;
    try {
      text = this.options.readFile(path);
    } catch {
      throw new FileError(where, `the template '${this.options.display(path)}' does not exist.`);
    }
    this.files.push(path);
    if (this.files.length > TEMPLATE_LIMITS.files)
      throw new FileError(where, `more than ${TEMPLATE_LIMITS.files} files are included; the service's limit is ${TEMPLATE_LIMITS.files}.`);
    this.grow(text.length, where);
    const value = loadPipelineYaml(text, this.options.display(path));
    this.parsed.set(path, value);
    return value;
  }

  private grow(amount: number, where: string): void {
    this.size += amount;
    if (this.size > TEMPLATE_LIMITS.bytes)
      throw new FileError(where, "the expanded pipeline passes 10 MB, the service's limit for templates and expressions.");
  }

  private fail(where: string, err: unknown, text?: string): never {
    if (err instanceof ExpressionError)
      throw new FileError(where, `${err.message.replace(/\.$/, '')}${text ? ` in '${text.trim()}'` : ''}.`);
    throw err;
  }

  private evaluate(expression: string, scope: Scope, where: string): Value {
    try {
      return evaluate(compileCondition(expression), {
        variable: (name) => scope.variables.get(name.toLowerCase()),
        status: () => {
          throw new ExpressionError('status functions such as succeeded() are runtime functions; they cannot be used in ${{ }}');
        },
        root: (name) => {
          const lower = name.toLowerCase();
          if (lower === 'parameters') return scope.parameters;
          const local = scope.locals.get(lower);
          if (local !== undefined) return local;
          throw new ExpressionError(
            `'${name}' cannot be read in \${{ }} (it can read parameters, variables and the names of enclosing \${{ each }})`,
          );
        },
      });
    } catch (err) {
      this.fail(where, err, `\${{${expression}}}`);
    }
  }

  /** Expands `${{ }}` in text: a whole-value expression keeps its type, embedded ones become text. */
  private expandText(text: string, scope: Scope, where: string): Value {
    if (!text.includes('${{')) return text;
    let parts: Array<string | { expression: string }>;
    try {
      parts = splitTemplateText(text);
    } catch (err) {
      this.fail(where, err);
    }
    if (parts.length === 1 && typeof parts[0] !== 'string') {
      const value = this.evaluate(parts[0].expression, scope, where);
      // A parameter's mapping or sequence inserted again and again counts against the limit too.
      if (value !== null && typeof value === 'object') this.grow(JSON.stringify(value).length, where);
      return value;
    }
    return parts
      .map((part) => {
        if (typeof part === 'string') return part;
        try {
          return toText(this.evaluate(part.expression, scope, where));
        } catch (err) {
          this.fail(where, err, `\${{${part.expression}}}`);
        }
      })
      .join('');
  }

  /** Expands any node. */
  expand(node: YamlValue, scope: Scope, where: string, listKind?: ListKind): YamlValue {
    if (typeof node === 'string') {
      const value = toYaml(this.expandText(node, scope, where));
      this.grow(typeof value === 'string' ? value.length + 8 : 16, where);
      return value;
    }
    this.grow(16, where);
    if (Array.isArray(node)) return this.expandSequence(node, scope, listKind);
    const { mapping, spliced } = this.expandMapping(node, scope, false);
    if (spliced.length > 0)
      throw new FileError(describeEntry(node) ?? where, 'a ${{ }} directive in a mapping must hold a mapping, not a list.');
    return mapping;
  }

  private here(container: object, entry: string | number | undefined, scope: Scope): string {
    return describeEntry(container, entry) ?? scope.file;
  }

  private expandSequence(node: YamlValue[], scope: Scope, listKind?: ListKind): YamlValue[] {
    const out: YamlValue[] = [];
    copyLocation(node, out);
    const push = (value: YamlValue, line: number | undefined): void => {
      this.grow(typeof value === 'string' ? value.length + 8 : 16, this.here(node, 0, scope));
      recordEntryLine(out, out.length, line);
      out.push(value);
    };
    node.forEach((item, i) => {
      const where = this.here(node, i, scope);
      const line = entryLine(node, i);
      if (typeof item === 'string') {
        const value = toYaml(this.expandText(item, scope, where));
        // An expression that gives a sequence inside a sequence is spliced in (a stepList parameter).
        if (Array.isArray(value) && item.includes('${{')) value.forEach((v) => push(v, line));
        else push(value, line);
        return;
      }
      if (isMapping(item) && 'template' in item) {
        for (const v of this.expandTemplateReference(item, scope, where, listKind)) push(v, line);
        return;
      }
      if (Array.isArray(item)) {
        push(this.expandSequence(item, scope), line);
        return;
      }
      const { mapping, spliced, directivesOnly } = this.expandMapping(item, scope, true);
      for (const v of spliced) push(v, line);
      if (!directivesOnly || Object.keys(mapping).length > 0) push(mapping, line);
    });
    return out;
  }

  /**
   * Expands a mapping. Directive keys merge their (expanded) mapping into it; in a sequence item,
   * a directive that holds a list splices the list into the sequence instead (`spliced`).
   */
  private expandMapping(
    node: Record<string, YamlValue>,
    scope: Scope,
    inSequence: boolean,
  ): { mapping: Record<string, YamlValue>; spliced: YamlValue[]; directivesOnly: boolean } {
    const mapping: Record<string, YamlValue> = {};
    copyLocation(node, mapping);
    const spliced: YamlValue[] = [];
    let chain: 'none' | 'open' | 'taken' = 'none';
    let directivesOnly = true;
    let current = scope;
    const merge = (body: YamlValue, where: string): void => {
      this.grow(16, where);
      if (body === '') return;
      if (Array.isArray(body)) {
        if (!inSequence) throw new FileError(where, 'a ${{ }} directive in a mapping must hold a mapping, not a list.');
        spliced.push(...body);
      } else if (isMapping(body)) {
        for (const [k, v] of Object.entries(body)) {
          mapping[k] = v;
          recordEntryLine(mapping, k, entryLine(body, k));
        }
      } else if (inSequence) {
        spliced.push(body);
      } else {
        throw new FileError(where, 'a ${{ }} directive in a mapping must hold a mapping, not a single value.');
      }
    };
    for (const [key, value] of Object.entries(node)) {
      const where = this.here(node, key, scope);
      let directive: Directive | undefined;
      try {
        directive = parseDirective(key);
      } catch (err) {
        this.fail(where, err, key);
      }
      if (!directive) {
        directivesOnly = false;
        chain = 'none';
        const name = key.includes('${{') ? this.expandToText(key, current, where) : key;
        const expanded = this.expand(
          value,
          current,
          where,
          (LIST_KINDS as readonly string[]).includes(name) ? (name as ListKind) : undefined,
        );
        mapping[name] = expanded;
        recordEntryLine(mapping, name, entryLine(node, key));
        if (name === 'variables') current = { ...current, variables: withVariables(current.variables, expanded) };
        continue;
      }
      switch (directive.kind) {
        case 'if':
        case 'elseif': {
          if (directive.kind === 'elseif' && chain === 'none')
            throw new FileError(where, '${{ elseif }} must follow ${{ if }} or ${{ elseif }}.');
          if (directive.kind === 'elseif' && chain === 'taken') break;
          const yes = toBoolean(this.evaluate(directive.expression, current, where));
          chain = yes ? 'taken' : 'open';
          if (yes) merge(this.expandBody(value, current, where), where);
          break;
        }
        case 'else':
          if (chain === 'none') throw new FileError(where, '${{ else }} must follow ${{ if }} or ${{ elseif }}.');
          if (chain === 'open') merge(this.expandBody(value, current, where), where);
          chain = 'none';
          break;
        case 'each': {
          chain = 'none';
          const collection = this.evaluate(directive.expression, current, where);
          const items: Value[] = Array.isArray(collection)
            ? collection
            : isMapping(collection)
              ? Object.entries(collection as Record<string, Value>).map(([k, v]) => ({ key: k, value: v }))
              : collection === null || collection === ''
                ? []
                : this.fail(
                    where,
                    new ExpressionError(
                      `\${{ each }} needs a sequence or a mapping, and '${directive.expression.trim()}' is '${toText(collection)}'`,
                    ),
                  );
          for (const item of items) {
            const locals = new Map(current.locals);
            locals.set(directive.name.toLowerCase(), item);
            merge(this.expandBody(value, { ...current, locals }, where), where);
          }
          break;
        }
        case 'insert':
          chain = 'none';
          merge(this.expandBody(value, current, where), where);
          break;
      }
    }
    return { mapping, spliced, directivesOnly };
  }

  /** Expands text that must stay text (a key, a template path); a sequence or mapping there is an error. */
  private expandToText(text: string, scope: Scope, where: string): string {
    const value = this.expandText(text, scope, where);
    try {
      return toText(value);
    } catch (err) {
      this.fail(where, err, text);
    }
  }

  /** A directive's body: a sequence's items stay a list (to splice), a mapping's entries merge. */
  private expandBody(value: YamlValue, scope: Scope, where: string): YamlValue {
    if (Array.isArray(value)) return this.expandSequence(value, scope);
    if (isMapping(value)) {
      const { mapping, spliced } = this.expandMapping(value, scope, true);
      if (spliced.length > 0 && Object.keys(mapping).length === 0) return spliced;
      if (spliced.length > 0) throw new FileError(where, 'a ${{ }} directive holds both list items and keys.');
      return mapping;
    }
    return this.expand(value, scope, where);
  }

  /** Resolves a template path against the including file (or the repository root for `/…`). */
  private resolveTemplate(reference: string, scope: Scope, where: string): string {
    const at = reference.lastIndexOf('@');
    let path = reference;
    if (at > 0) {
      const repository = reference.slice(at + 1).trim();
      if (repository.toLowerCase() !== 'self')
        throw new FileError(
          where,
          `the template '${reference}' is in the repository '${repository}'; outerloop run reads templates from this repository only (@self).`,
        );
      path = reference.slice(0, at);
    }
    path = path.trim();
    if (path.startsWith('/')) return join(this.options.repositoryRoot, path);
    return isAbsolute(path) ? path : resolve(scope.dir, path);
  }

  /** Reads, binds and expands a template file; returns its mapping (parameters removed). */
  private expandTemplateFile(
    reference: YamlValue,
    given: YamlValue | undefined,
    scope: Scope,
    where: string,
  ): { body: Record<string, YamlValue>; file: string } {
    if (typeof reference !== 'string' || reference.trim() === '')
      throw new FileError(where, 'template: needs the path of a template file.');
    const text = this.expandToText(reference, scope, where);
    if (scope.depth + 1 > TEMPLATE_LIMITS.depth)
      throw new FileError(
        where,
        `templates are nested more than ${TEMPLATE_LIMITS.depth} levels deep, the service's limit (a template that includes itself?).`,
      );
    const path = this.resolveTemplate(text, scope, where);
    const doc = this.load(path, where);
    const file = this.options.display(path);
    if (!isMapping(doc)) throw new FileError(file, 'a template must be a mapping (parameters: and steps:, jobs:, stages: or variables:).');
    let givenValues: Record<string, Value> = {};
    if (given !== undefined && given !== '') {
      const expanded = this.expand(given, scope, where);
      if (!isMapping(expanded)) throw new FileError(where, 'parameters: of a template reference must be a mapping (name: value).');
      givenValues = expanded as Record<string, Value>;
    }
    const declarations = readParameterDeclarations(doc['parameters'], file);
    const parameters = bindParameters(declarations, givenValues, where, file);
    const inner: Scope = { file, dir: dirname(path), parameters, locals: new Map(), variables: scope.variables, depth: scope.depth + 1 };
    const body: Record<string, YamlValue> = {};
    copyLocation(doc, body);
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'parameters') continue;
      body[k] = v;
      recordEntryLine(body, k, entryLine(doc, k));
    }
    const { mapping } = this.expandMapping(body, inner, false);
    return { body: mapping, file };
  }

  /** `- template: x.yml` in a list of steps, jobs, stages or variables: the template's items. */
  private expandTemplateReference(item: Record<string, YamlValue>, scope: Scope, where: string, listKind?: ListKind): YamlValue[] {
    for (const key of Object.keys(item)) {
      if (key !== 'template' && key !== 'parameters')
        throw new FileError(
          this.here(item, key, scope),
          `'${key}' cannot stand beside template: (a template reference takes template: and parameters:).`,
        );
    }
    const { body, file } = this.expandTemplateFile(item['template'], item['parameters'], scope, where);
    const kinds = LIST_KINDS.filter((k) => k in body);
    const kind = listKind && kinds.includes(listKind) ? listKind : kinds.length === 1 ? kinds[0] : undefined;
    if (!kind || (listKind && kind !== listKind)) {
      const has = kinds.length > 0 ? `it holds ${kinds.join(' and ')}` : 'it holds none of stages:, jobs:, steps: or variables:';
      throw new FileError(where, `the template ${file} is used where ${listKind ?? 'a list'} are listed, but ${has}.`);
    }
    const others = Object.keys(body).filter((k) => k !== kind);
    if (others.length > 0)
      throw new FileError(
        describeEntry(body, others[0]) ?? file,
        `'${others[0]}' has no place in a ${kind.replace(/s$/, '')} template (it holds parameters: and ${kind}: only).`,
      );
    const list = body[kind];
    if (kind === 'variables' && isMapping(list)) return Object.entries(list).map(([name, value]) => ({ name, value }));
    if (list === '') return [];
    if (!Array.isArray(list)) throw new FileError(describeEntry(body, kind) ?? file, `${kind}: must be a list.`);
    return list;
  }

  /** The whole pipeline: runtime parameters, then the file, then `extends:`. */
  expandRoot(path: string): Record<string, YamlValue> {
    const file = this.options.display(path);
    const doc = this.load(path, file);
    if (doc === undefined || doc === '') throw new FileError(file, 'the file is empty.');
    if (!isMapping(doc)) throw new FileError(file, 'a pipeline must be a mapping (stages:, jobs: or steps:).');
    const declarations = readParameterDeclarations(doc['parameters'], file);
    const given: Record<string, Value> = {};
    for (const [name, raw] of Object.entries(this.options.parameters)) {
      const d = declarations.find((p) => p.name.toLowerCase() === name.toLowerCase());
      const structured = d && !['string', 'number', 'boolean'].includes(d.type);
      given[name] = structured ? (loadPipelineYaml(raw, `--param ${name}`) ?? '') : raw;
    }
    const parameters = bindParameters(declarations, given, '--param', file);
    const variables = new Map(Object.entries(this.options.variables).map(([k, v]) => [k.toLowerCase(), v]));
    const scope: Scope = { file, dir: dirname(path), parameters, locals: new Map(), variables, depth: 0 };
    const body: Record<string, YamlValue> = {};
    copyLocation(doc, body);
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'parameters' || k === 'extends') continue;
      body[k] = v;
      recordEntryLine(body, k, entryLine(doc, k));
    }
    const { mapping } = this.expandMapping(body, scope, false);
    if (!('extends' in doc)) return mapping;
    const where = describeEntry(doc, 'extends') ?? file;
    const ext = doc['extends'];
    if (!isMapping(ext) || !('template' in ext)) throw new FileError(where, 'extends: takes template: and parameters:.');
    for (const key of Object.keys(ext))
      if (key !== 'template' && key !== 'parameters')
        throw new FileError(describeEntry(ext, key) ?? where, `'${key}' is not a key of extends: (it takes template: and parameters:).`);
    for (const key of ['stages', 'jobs', 'steps'])
      if (key in mapping)
        throw new FileError(describeEntry(doc, key) ?? file, `a pipeline that extends a template cannot have ${key}: of its own.`);
    const innerScope: Scope = { ...scope, variables: 'variables' in mapping ? withVariables(variables, mapping['variables']) : variables };
    const { body: extended } = this.expandTemplateFile(ext['template'], ext['parameters'], innerScope, where);
    const merged: Record<string, YamlValue> = {};
    copyLocation(doc, merged);
    for (const source of [mapping, extended]) {
      for (const [k, v] of Object.entries(source)) {
        merged[k] = k === 'variables' && k in merged ? [...variableList(merged[k]), ...variableList(v)] : v;
        recordEntryLine(merged, k, entryLine(source, k));
      }
    }
    return merged;
  }

  filesRead(): string[] {
    return this.files;
  }
}

/** Variables in list form (`- name: x` / `value:`), whatever form they were written in. */
function variableList(node: YamlValue): YamlValue[] {
  if (isMapping(node)) return Object.entries(node).map(([name, value]) => ({ name, value }));
  return Array.isArray(node) ? node : [];
}

/** Adds the variables a `variables:` node defines to what `${{ variables.x }}` can read. */
function withVariables(visible: Map<string, string>, node: YamlValue): Map<string, string> {
  const next = new Map(visible);
  for (const item of variableList(node)) {
    if (isMapping(item) && typeof item['name'] === 'string')
      next.set(item['name'].toLowerCase(), typeof item['value'] === 'string' ? item['value'] : '');
  }
  return next;
}

/** Expands the pipeline file at `path` (absolute). Throws {@link FileError} naming the file and line. */
export function expandPipeline(path: string, options: ExpandOptions): ExpandedPipeline {
  const expander = new Expander(options);
  const document = expander.expandRoot(path);
  return { document, files: expander.filesRead() };
}

/** `file:line` of a key path of the expanded document (`stages[0].jobs[1]`), or its nearest ancestor's. */
export function locateInDocument(document: YamlValue, path: string): string | undefined {
  const parts = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: YamlValue | undefined = document;
  let best = describeEntry(document);
  for (const part of parts) {
    if (node === undefined || typeof node === 'string') break;
    const entry: string | number = part.startsWith('[') ? Number(part.slice(1, -1)) : part;
    const here = describeEntry(node, entry);
    if (locationOf(node) && here) best = here;
    node = Array.isArray(node) ? node[entry as number] : typeof entry === 'string' ? node[entry] : undefined;
    if (node !== undefined && locationOf(node) && typeof node !== 'string') best = describeEntry(node) ?? best;
  }
  return best;
}

/** The expanded document as YAML text, the way `outerloop run --expand` prints it. */
export function printExpandedPipeline(document: YamlValue): string {
  return dump(document, { lineWidth: -1, noRefs: true });
}
