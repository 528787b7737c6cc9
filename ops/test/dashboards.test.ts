/**
 * The Grafana dashboards and their provisioning: generated files up to date with their
 * definitions, five dashboards with the template variables they promise, every Prometheus query
 * through the `datasource` variable, every other data source provisioned, and a sane grid.
 * (Whether their queries name real metrics is metrics-coverage.test.ts's job.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { outdatedFiles } from '../src/generate.js';
import { dashboards, readYaml } from './support/assets.js';

interface Datasources {
  datasources: { uid: string; type: string; url: string }[];
}

const byUid = new Map(dashboards().map((d) => [d.json.uid, d.json]));

describe('Grafana dashboards', () => {
  test('the generated dashboards, SLO rules and SLO tests match their definitions', async () => {
    assert.deepEqual(
      await outdatedFiles(),
      [],
      'run: node --import tsx ops/src/generate.ts (and commit the result)',
    );
  });

  test('five dashboards with the template variables of what they show', () => {
    const expected: Record<string, string[]> = {
      'cc-workflow-overview': ['datasource', 'project', 'workflow'],
      'cc-agent-performance': ['datasource', 'project', 'agent'],
      'cc-system-health': ['datasource', 'instance', 'project'],
      'cc-cost-tracking': ['datasource', 'project', 'workflow', 'agent'],
      'cc-slos': ['datasource', 'project'],
    };
    assert.deepEqual([...byUid.keys()].sort(), Object.keys(expected).sort());
    for (const [uid, vars] of Object.entries(expected)) {
      const list = byUid.get(uid)!.templating.list;
      assert.deepEqual(
        list.map((v) => v.name),
        vars,
        uid,
      );
      for (const v of list.filter((x) => x.type === 'query')) {
        assert.match(v.definition ?? '', /^label_values\(/, `${uid} ${v.name}`);
      }
    }
  });

  test('Prometheus queries use the datasource variable; other data sources are provisioned', () => {
    const provisioned = readYaml<Datasources>(
      'grafana',
      'provisioning',
      'datasources',
      'datasources.yaml',
    ).datasources;
    const uids = new Map(provisioned.map((d) => [d.uid, d.type]));
    assert.equal(uids.get('prometheus'), 'prometheus', 'the variable defaults to uid prometheus');
    for (const d of dashboards()) {
      for (const p of d.json.panels) {
        const sources = [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)];
        for (const ds of sources) {
          if (!ds) continue;
          if (ds.type === 'prometheus') {
            assert.equal(ds.uid, '${datasource}', `${d.file} › ${p.title}`);
          } else {
            assert.equal(uids.get(ds.uid ?? ''), ds.type, `${d.file} › ${p.title}: ${ds.uid}`);
          }
        }
      }
    }
  });

  test('panels fit the 24-column grid without overlapping', () => {
    for (const d of dashboards()) {
      const taken = new Set<string>();
      for (const p of d.json.panels as unknown as {
        title: string;
        gridPos: { x: number; y: number; w: number; h: number };
      }[]) {
        const { x, y, w, h } = p.gridPos;
        assert.ok(x >= 0 && w > 0 && x + w <= 24, `${d.file} › ${p.title}`);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            assert.ok(!taken.has(`${i},${j}`), `${d.file} › ${p.title} overlaps at ${i},${j}`);
            taken.add(`${i},${j}`);
          }
        }
      }
    }
  });

  test('the ids of the panels of a dashboard are unique', () => {
    for (const d of dashboards()) {
      const ids = d.json.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, d.file);
    }
  });
});
