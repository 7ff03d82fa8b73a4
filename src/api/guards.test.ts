import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAnyBrigadeResource, isBrigadeEvent, isBuild, isJobCR, isProject } from './guards.ts';

const obj = (apiVersion: string, kind: string) => ({ apiVersion, kind, metadata: { name: 'x' }, spec: {} });

test('guards accept their kind of brigade.sh/v1alpha1 object only', () => {
  assert.equal(isProject(obj('brigade.sh/v1alpha1', 'Project')), true);
  assert.equal(isBrigadeEvent(obj('brigade.sh/v1alpha1', 'Event')), true);
  assert.equal(isBuild(obj('brigade.sh/v1alpha1', 'Build')), true);
  assert.equal(isJobCR(obj('brigade.sh/v1alpha1', 'Job')), true);
  assert.equal(isJobCR(obj('batch/v1', 'Job')), false);
  assert.equal(isBrigadeEvent(obj('v1', 'Event')), false);
  assert.equal(isProject(obj('brigade.sh/v1alpha1', 'Build')), false);
});

test('guards reject values without metadata or spec objects', () => {
  assert.equal(isProject({ apiVersion: 'brigade.sh/v1alpha1', kind: 'Project', metadata: {} }), false);
  assert.equal(isProject({ apiVersion: 'brigade.sh/v1alpha1', kind: 'Project', spec: [], metadata: {} }), false);
  assert.equal(isAnyBrigadeResource(null), false);
  assert.equal(isAnyBrigadeResource('Project'), false);
  assert.equal(isAnyBrigadeResource(obj('brigade.sh/v1alpha1', 'Build')), true);
});
