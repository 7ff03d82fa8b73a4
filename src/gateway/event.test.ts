import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventName, eventObject, isValidEventType } from './event.ts';

const base = { namespace: 'ci', project: 'hello', intake: 'cloudevents' as const, deliveryId: 'src 1' };

test('the same delivery always gets the same Event name', () => {
  assert.equal(eventName(base), eventName({ ...base }));
});

test('a different delivery id, project, namespace or intake gets a different name', () => {
  const names = new Set([
    eventName(base),
    eventName({ ...base, deliveryId: 'src 2' }),
    eventName({ ...base, project: 'other' }),
    eventName({ ...base, namespace: 'prod' }),
    eventName({ ...base, intake: 'github' }),
  ]);
  assert.equal(names.size, 5);
});

test('names are DNS-1123 labels even for long dotted project names', () => {
  const name = eventName({ ...base, project: `${'a.b-'.repeat(30)}x` });
  assert.ok(name.length <= 63, name);
  assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
});

test('an Event object carries the draft, labels the project and omits an empty revision and payload', () => {
  const obj = eventObject({
    ...base,
    type: 'exec',
    provider: 'curl',
    revision: { commit: '', ref: undefined },
    payload: '',
  });
  assert.equal(obj.apiVersion, 'brigade.sh/v1alpha1');
  assert.equal(obj.kind, 'Event');
  assert.deepEqual(obj.spec, { project: 'hello', type: 'exec', provider: 'curl' });
  assert.equal(obj.metadata.labels?.['brigade.sh/project'], 'hello');
  assert.equal(obj.metadata.annotations?.['brigade.sh/delivery-id'], 'src 1');
});

test('event types with spaces, control characters or no leading alphanumeric are invalid', () => {
  for (const bad of ['', ' push', 'a b', 'x\n', '-x', 'a'.repeat(254)]) assert.equal(isValidEventType(bad), false, bad);
  for (const good of ['push', 'image_push', 'com.example.object.deleted.v2', 'pull_request:opened'])
    assert.equal(isValidEventType(good), true, good);
});
