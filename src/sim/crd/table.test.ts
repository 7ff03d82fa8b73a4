import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileCrd } from './index.ts';
import { compileJsonPath, goSprint, JsonPathError } from './jsonpath.ts';
import { humanDuration } from './table.ts';
import { versionOf, widget, widgetCrd } from './test-fixtures.ts';

const NOW = new Date('2024-05-01T12:00:00Z');

describe('printer-column JSONPath', () => {
  const doc = {
    spec: { image: 'alpine', jobs: [{ name: 'a' }, { name: 'b' }], 'dotted.key': 'v' },
    status: {
      conditions: [
        { type: 'Scheduled', status: 'True' },
        { type: 'Ready', status: 'False', n: 2 },
      ],
    },
  };

  it('selects fields, indices (negative too) and quoted keys', () => {
    assert.deepEqual(compileJsonPath('.spec.image').find(doc), ['alpine']);
    assert.deepEqual(compileJsonPath('.spec.jobs[1].name').find(doc), ['b']);
    assert.deepEqual(compileJsonPath('.spec.jobs[-1].name').find(doc), ['b']);
    assert.deepEqual(compileJsonPath(".spec['dotted.key']").find(doc), ['v']);
    assert.deepEqual(compileJsonPath('{.spec.image}').find(doc), ['alpine']);
  });

  it('expands wildcards and recursive descent', () => {
    assert.deepEqual(compileJsonPath('.spec.jobs[*].name').find(doc), ['a', 'b']);
    assert.deepEqual(compileJsonPath('..name').find(doc), ['a', 'b']);
  });

  it('filters list items by a field value or its presence', () => {
    assert.deepEqual(compileJsonPath('.status.conditions[?(@.type=="Ready")].status').find(doc), ['False']);
    assert.deepEqual(compileJsonPath(".status.conditions[?(@.type != 'Ready')].type").find(doc), ['Scheduled']);
    assert.deepEqual(compileJsonPath('.status.conditions[?(@.n)].type').find(doc), ['Ready']);
    assert.deepEqual(compileJsonPath('.status.conditions[?(@.n > 1)].type').find(doc), ['Ready']);
  });

  it('finds nothing for missing paths', () => {
    assert.deepEqual(compileJsonPath('.spec.missing.deeper').find(doc), []);
    assert.deepEqual(compileJsonPath('.spec.jobs[5]').find(doc), []);
  });

  it('refuses expressions outside the subset', () => {
    assert.throws(() => compileJsonPath('.spec.jobs[0:1]'), JsonPathError);
    assert.throws(() => compileJsonPath('spec'), JsonPathError);
  });

  it('prints non-string values like Go', () => {
    assert.equal(goSprint({ b: 1, a: [true, 'x'] }), 'map[a:[true x] b:1]');
    assert.equal(goSprint(2.5), '2.5');
  });
});

describe('humanDuration', () => {
  it('matches apimachinery duration.HumanDuration', () => {
    const s = 1000;
    const cases: Array<[number, string]> = [
      [-5 * s, '<invalid>'],
      [-1 * s, '0s'],
      [0, '0s'],
      [119 * s, '119s'],
      [120 * s, '2m'],
      [330 * s, '5m30s'],
      [600 * s, '10m'],
      [179 * 60 * s, '179m'],
      [3 * 3600 * s, '3h'],
      [(3 * 3600 + 120) * s, '3h2m'],
      [8 * 3600 * s, '8h'],
      [47 * 3600 * s, '47h'],
      [48 * 3600 * s, '2d'],
      [50 * 3600 * s, '2d2h'],
      [8 * 86400 * s, '8d'],
      [729 * 86400 * s, '729d'],
      [730 * 86400 * s, '2y'],
      [750 * 86400 * s, '2y20d'],
      [9 * 365 * 86400 * s, '9y'],
    ];
    for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
  });
});

describe('Table output', () => {
  it('has Name and a default Age column when no printer columns are defined', () => {
    const v = versionOf(compileCrd(widgetCrd()), 'v1');
    assert.deepEqual(
      v.tableColumns().map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Age', 'date', '', 0],
      ],
    );
    const obj = widget({});
    obj.metadata.creationTimestamp = '2024-05-01T11:55:00Z';
    assert.deepEqual(v.tableCells(obj, NOW), ['w1', '5m']);
    obj.metadata.creationTimestamp = '';
    assert.deepEqual(v.tableCells(obj, NOW), ['w1', '<unknown>']);
  });

  it('renders the printer columns of the version, typed, with wide-only priority kept', () => {
    const v = versionOf(
      compileCrd(
        widgetCrd({
          printerColumns: [
            { name: 'Image', type: 'string', jsonPath: '.spec.image', description: 'the image' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ratio', type: 'number', jsonPath: '.spec.ratio', priority: 1 },
            { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
            { name: 'Started', type: 'date', jsonPath: '.status.startTime' },
            { name: 'Bad', type: 'date', jsonPath: '.spec.image' },
            { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
          ],
        }),
      ),
      'v1',
    );
    const cols = v.tableColumns();
    assert.deepEqual(
      cols.map((c) => c.name),
      ['Name', 'Image', 'Ready', 'Replicas', 'Ratio', 'Paused', 'Started', 'Bad', 'Missing'],
    );
    assert.equal(cols[1].description, 'the image');
    assert.equal(cols[4].priority, 1);
    const obj = widget(
      { image: 'alpine', replicas: 3, ratio: 0.5, paused: false },
      {
        status: { startTime: '2024-04-29T12:00:00Z', conditions: [{ type: 'Ready', status: 'True' }] },
      },
    );
    assert.deepEqual(v.tableCells(obj, NOW), ['w1', 'alpine', 'True', 3, 0.5, false, '2d', '<invalid>', null]);
  });
});
