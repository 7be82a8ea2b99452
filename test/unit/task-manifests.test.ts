import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskManifest } from '../../src/local-run/agent/task-manifest';
import { ROOT } from '../support/paths';

interface Manifest extends TaskManifest {
  friendlyName: string;
  description: string;
  category: string;
  author: string;
  minimumAgentVersion: string;
  instanceNameFormat: string;
  helpMarkDown: string;
  groups?: Array<{ name: string; displayName: string }>;
}

/** What YAML users write, by folder: the contract of the foundation issue. */
const EXPECTED: Record<string, string> = {
  'docker-build-tag': 'DockerBuildTag',
  'compose-test': 'ComposeTest',
  'push-digest': 'PushDigest',
  'compose-to-k8s': 'ComposeToK8s',
  'compose-deploy': 'ComposeDeploy',
};

const folders = readdirSync(join(ROOT, 'tasks'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const manifests = new Map(folders.map((f) => [f, JSON.parse(readFileSync(join(ROOT, 'tasks', f, 'task.json'), 'utf8')) as Manifest]));

describe('task.json files', () => {
  it('are exactly the five tasks, with unique fixed GUIDs', () => {
    assert.deepEqual(folders, Object.keys(EXPECTED).sort());
    const ids = [...manifests.values()].map((m) => m.id);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
  });

  for (const [folder, m] of manifests) {
    describe(folder, () => {
      it(`is named ${EXPECTED[folder]}, major version 1`, () => {
        assert.equal(m.name, EXPECTED[folder]);
        assert.equal(m.version.Major, 1);
      });

      it('has the fields the marketplace and the classic editor show', () => {
        for (const key of ['friendlyName', 'description', 'category', 'author', 'instanceNameFormat', 'helpMarkDown'] as const) {
          assert.ok(typeof m[key] === 'string' && m[key].length > 0, `${key} is missing`);
        }
        assert.ok(['Build', 'Test', 'Deploy', 'Package', 'Utility'].includes(m.category));
        assert.equal(m.minimumAgentVersion, '3.232.1');
        assert.ok((m.outputVariables ?? []).length > 0, 'declares its output variables');
        for (const o of m.outputVariables ?? []) assert.ok(o.description, `output ${o.name} has a description`);
      });

      it('runs its bundle on the Node20_1 and Node24 handlers', () => {
        assert.deepEqual(Object.keys(m.execution).sort(), ['Node20_1', 'Node24']);
        for (const h of Object.values(m.execution)) assert.equal(h.target, 'index.js');
      });

      it('documents every input, in groups that exist, with visible rules over real inputs', () => {
        const groups = new Set((m.groups ?? []).map((g) => g.name));
        const names = new Set(m.inputs.map((i) => i.name));
        assert.equal(names.size, m.inputs.length, 'input names are unique');
        for (const input of m.inputs) {
          assert.ok(input.label, `${input.name} has a label`);
          assert.ok(input.helpMarkDown && input.helpMarkDown.length > 10, `${input.name} has helpMarkDown`);
          if (input.groupName) assert.ok(groups.has(input.groupName), `${input.name}'s group ${input.groupName} exists`);
          for (const ref of (input.visibleRule ?? '').match(
            /[A-Za-z_][A-Za-z0-9_]*(?=\s*(=|!=|<|>|NotEndsWith|EndsWith|Contains|NotContains))/g,
          ) ?? []) {
            assert.ok(names.has(ref), `${input.name}'s visibleRule names ${ref}, an input`);
          }
          if (input.type === 'pickList')
            assert.ok(input.options && input.defaultValue! in input.options, `${input.name}'s default is an option`);
        }
        for (const ref of m.instanceNameFormat.match(/\$\(([^)]+)\)/g) ?? []) {
          assert.ok(names.has(ref.slice(2, -1)), `instanceNameFormat's ${ref} is an input`);
        }
      });
    });
  }
});

describe('vss-extension.json', () => {
  const ext = JSON.parse(readFileSync(join(ROOT, 'vss-extension.json'), 'utf8')) as {
    files: Array<{ path: string; addressable?: boolean }>;
    scopes?: string[];
    contributions: Array<{
      id: string;
      type: string;
      targets: string[];
      properties: { name: string; uri?: string; supportsTasks?: string[] };
    }>;
  };
  it('ships and contributes every task folder', () => {
    for (const folder of folders) {
      assert.ok(
        ext.files.some((f) => f.path === `tasks/${folder}`),
        `files lists tasks/${folder}`,
      );
      const c = ext.contributions.find((x) => x.properties.name === `tasks/${folder}`);
      assert.ok(c, `a contribution for tasks/${folder}`);
      assert.equal(c.type, 'ms.vss-distributed-task.task');
    }
  });

  it('contributes the Outer loop tab to the run page, shown only for runs that used one of the tasks', () => {
    const tab = ext.contributions.find((x) => x.type === 'ms.vss-build-web.build-results-tab');
    assert.ok(tab, 'a build-results-tab contribution');
    assert.deepEqual(tab.targets, ['ms.vss-build-web.build-results-view']);
    assert.equal(tab.properties.uri, 'tab/outerloop-tab.html');
    assert.ok(
      ext.files.some((f) => f.path === 'tab' && f.addressable === true),
      'the tab folder is addressable',
    );
    assert.deepEqual(ext.scopes, ['vso.build']);
    const taskIds = folders.map((f) => (JSON.parse(readFileSync(join(ROOT, 'tasks', f, 'task.json'), 'utf8')) as { id: string }).id);
    assert.deepEqual([...(tab.properties.supportsTasks ?? [])].sort(), [...taskIds].sort());
  });
});
