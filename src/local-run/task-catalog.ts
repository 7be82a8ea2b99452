import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTaskManifest, type TaskManifest } from './agent/task-manifest';
import { OuterloopError } from '../common/errors';

/** A task `outerloop run` can run: its folder and manifest. */
export interface CatalogTask {
  dir: string;
  manifest: TaskManifest;
}

/** A `task:` reference the runner has no task for; the message names it and what there is. */
export class UnknownTaskError extends OuterloopError {}

/**
 * The bundled tasks, found by reading each folder's task.json (`name` and `version.Major`), so
 * `task: DockerBuildTag@1` maps to the folder whatever it is called. Earlier folders win.
 */
export class TaskCatalog {
  private constructor(private readonly tasks: CatalogTask[]) {}

  /** Reads every `<dir>/<task>/task.json` under the given folders (missing folders are skipped). */
  static async load(dirs: readonly string[]): Promise<TaskCatalog> {
    const tasks: CatalogTask[] = [];
    for (const dir of dirs) {
      if (!existsSync(dir)) continue;
      const entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      for (const entry of entries) {
        if (!existsSync(join(dir, entry, 'task.json'))) continue;
        tasks.push({ dir: join(dir, entry), manifest: await readTaskManifest(join(dir, entry)) });
      }
    }
    return new TaskCatalog(tasks);
  }

  /** `Name@Major` of every task, for messages. */
  names(): string[] {
    return [...new Set(this.tasks.map((t) => `${t.manifest.name}@${t.manifest.version.Major}`))].sort();
  }

  /**
   * The task for `Name@Major`. The name may be qualified with the extension
   * (`publisher.extension.Name`) or be the task's id. Throws {@link UnknownTaskError}.
   */
  resolve(name: string, major: number): CatalogTask {
    const wanted = name.toLowerCase();
    const short = wanted.split('.').pop() ?? wanted;
    const byName = this.tasks.filter(
      (t) => [wanted, short].includes(t.manifest.name.toLowerCase()) || t.manifest.id?.toLowerCase() === wanted,
    );
    const found = byName.find((t) => t.manifest.version.Major === major);
    if (found) return found;
    if (byName.length > 0) {
      const majors = [...new Set(byName.map((t) => t.manifest.version.Major))].join(', @');
      throw new UnknownTaskError(`Task '${name}@${major}' is not available: outerloop has ${byName[0].manifest.name}@${majors}.`);
    }
    const have = this.names();
    throw new UnknownTaskError(
      `Task '${name}@${major}' is not one outerloop run can run; it runs its own tasks only (${have.length > 0 ? have.join(', ') : 'none were found: run npm run build'}).`,
    );
  }
}
