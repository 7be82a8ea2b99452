import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointSpec } from '../../local-run/agent/task-process';
import { InputError } from '../../common/errors';

/** `outerloop run`'s command line, parsed. */
export interface RunCommandOptions {
  /** The pipeline file as given (default `azure-pipelines.yml`). */
  file: string;
  variables: Record<string, string>;
  secrets: Record<string, string>;
  endpoints: EndpointSpec[];
  /** Extra folders of tasks, searched before the bundled ones. */
  taskDirs: string[];
  sourcesDir?: string;
  colour?: boolean;
  debug: boolean;
  /** `--param NAME=VALUE`: the pipeline's runtime parameters. */
  parameters: Record<string, string>;
  /** `--variables-file FILE`, in order: name/value files standing in for variable groups. */
  variablesFiles: string[];
  /** `--pipeline-artifacts ALIAS=DIR`. */
  pipelineArtifacts: Record<string, string>;
  /** `--expand`: print the expanded YAML and run nothing. */
  expand: boolean;
}

/** The usage text of `outerloop run`. */
export const RUN_USAGE = `Usage: outerloop run [azure-pipelines.yml] [options]

Runs a pipeline on this machine the way an agent would: each task: step with outerloop's bundled
task, each script:/bash: step with bash, conditions, variables and output variables as on the
agent. Artifacts land in .outerloop/artifacts/<name>/, test results in .outerloop/test-results/.

Options:
  --var NAME=VALUE        set a variable (wins over the file's variables); repeatable
  --secret NAME=VALUE     set a secret variable, masked in everything printed; repeatable
  --secret NAME           the same, with the value read from the environment variable NAME
  --endpoint ID=URL,USER,PASSWORD
                          a service connection (username/password) that inputs can name by ID;
                          PASSWORD may be env:NAME to read it from the environment
  --endpoint ID=tcp://HOST:PORT,certs:DIR
                          a Docker host service connection (TLS) whose CA, certificate and key are
                          DIR's ca.pem, cert.pem and key.pem (a DOCKER_CERT_PATH folder)
  --param NAME=VALUE      set a runtime parameter (parameters: of the file); repeatable
  --variables-file FILE   variables from a YAML file (name: value, or name: { value, secret: true }),
                          standing in for variable groups and library secrets; repeatable
  --pipeline-artifacts ALIAS=DIR
                          the artifacts of the resources.pipelines run ALIAS: a folder of artifact
                          folders, such as the other pipeline's .outerloop/artifacts; repeatable
  --expand                print the fully expanded YAML (templates, parameters, \${{ }}) and stop
  --sources DIR           the working tree (default: the git work tree holding the file, else .)
  --tasks DIR             also look for tasks in DIR (folders with task.json); repeatable
  --debug                 set System.Debug=true: show debug lines
  --no-color              no colours even on a terminal (NO_COLOR is honoured too)
  -h, --help              show this help
`;

function splitPair(option: string, raw: string | undefined): [string, string | undefined] {
  if (raw === undefined || raw === '') throw new InputError(option, 'needs a value.');
  const eq = raw.indexOf('=');
  const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name))
    throw new InputError(option, `needs NAME=VALUE with a variable name, not '${eq < 0 ? raw : `${name}=…`}'.`);
  return [name, eq < 0 ? undefined : raw.slice(eq + 1)];
}

/**
 * Parses `--endpoint id=url,user,password` into a username/password service connection, or
 * `--endpoint id=tcp://host:port,certs:DIR` into a Docker host one (scheme Certificate) with DIR's
 * ca.pem, cert.pem and key.pem.
 */
export function parseEndpoint(raw: string | undefined, env: NodeJS.ProcessEnv): EndpointSpec {
  const [id, rest] = splitPair('--endpoint', raw);
  const parts = (rest ?? '').split(',');
  if (parts.length === 2 && parts[1].startsWith('certs:')) return dockerHostEndpoint(id, parts[0], parts[1].slice('certs:'.length));
  if (parts.length < 3 || !parts[0]) throw new InputError('--endpoint', `needs ID=URL,USER,PASSWORD, not '${id}=${parts[0] ?? ''},…'.`);
  const [url, username] = parts;
  let password = parts.slice(2).join(',');
  const fromEnv = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(password);
  if (fromEnv) {
    const value = env[fromEnv[1]];
    if (value === undefined)
      throw new InputError('--endpoint', `'${id}' reads its password from the environment variable ${fromEnv[1]}, which is not set.`);
    password = value;
  }
  return { id, url, scheme: 'UsernamePassword', parameters: { username, password, registry: url }, data: {} };
}

/** A Docker host service connection from a DOCKER_CERT_PATH-style folder. */
function dockerHostEndpoint(id: string, url: string, dir: string): EndpointSpec {
  const parameters: Record<string, string> = {};
  for (const [key, file] of [
    ['cacert', 'ca.pem'],
    ['cert', 'cert.pem'],
    ['key', 'key.pem'],
  ] as const) {
    try {
      parameters[key] = readFileSync(join(dir, file), 'utf8');
    } catch {
      throw new InputError('--endpoint', `'${id}' names the certificates folder ${dir}, which has no readable ${file}.`);
    }
  }
  return { id, url, scheme: 'Certificate', parameters, data: {} };
}

/** Parses the arguments after `outerloop run`. Throws {@link InputError} naming the option. */
export function parseRunArgs(args: readonly string[], env: NodeJS.ProcessEnv): RunCommandOptions {
  const options: RunCommandOptions = {
    file: 'azure-pipelines.yml',
    variables: {},
    secrets: {},
    endpoints: [],
    taskDirs: [],
    debug: false,
    parameters: {},
    variablesFiles: [],
    pipelineArtifacts: {},
    expand: false,
  };
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitFlag(arg) : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new InputError(flag, 'needs a value.');
      return next;
    };
    switch (flag) {
      case '--var': {
        const [name, v] = splitPair('--var', value());
        if (v === undefined) throw new InputError('--var', `needs NAME=VALUE, not '${name}'.`);
        options.variables[name] = v;
        break;
      }
      case '--secret': {
        const [name, v] = splitPair('--secret', value());
        const secret = v ?? env[name];
        if (secret === undefined) throw new InputError('--secret', `'${name}' has no value and no environment variable ${name} is set.`);
        options.secrets[name] = secret;
        break;
      }
      case '--param': {
        const [name, v] = splitPair('--param', value());
        if (v === undefined) throw new InputError('--param', `needs NAME=VALUE, not '${name}'.`);
        options.parameters[name] = v;
        break;
      }
      case '--variables-file':
        options.variablesFiles.push(value());
        break;
      case '--pipeline-artifacts': {
        const [alias, dir] = splitPair('--pipeline-artifacts', value());
        if (!dir) throw new InputError('--pipeline-artifacts', `needs ALIAS=DIR, not '${alias}'.`);
        options.pipelineArtifacts[alias] = dir;
        break;
      }
      case '--expand':
        options.expand = true;
        break;
      case '--endpoint':
        options.endpoints.push(parseEndpoint(value(), env));
        break;
      case '--tasks':
        options.taskDirs.push(value());
        break;
      case '--sources':
        options.sourcesDir = value();
        break;
      case '--debug':
        options.debug = true;
        break;
      case '--no-color':
      case '--no-colour':
        options.colour = false;
        break;
      default:
        if (flag.startsWith('-')) throw new InputError(flag, "is not an option of outerloop run (see 'outerloop run --help').");
        if (file !== undefined) throw new InputError(flag, `is a second pipeline file; outerloop run runs one (${file}).`);
        file = flag;
    }
  }
  if (file !== undefined) options.file = file;
  return options;
}

function splitFlag(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}
