/** Compose's project-name rules, shared by the compose loader and ComposeTest. */

/** Compose's project-name rule: lower-case letters, digits, '-' and '_', starting with a letter or digit. */
export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** The project name a folder name gives (Compose normalizes it). */
export function projectNameFromFolder(folder: string): string {
  return folder
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}
