import { test } from 'node:test';
import assert from 'node:assert/strict';
import { githubRevision, parseGithubDelivery } from './github.ts';
import { normalizeRepo, projectMatchesRepository } from './project-intake.ts';
import { githubSignature, verifyGithubSignature, secretsEqual, presentedToken } from './secrets.ts';

test('push revision: after and ref; a branch deletion has no commit', () => {
  assert.deepEqual(githubRevision('push', { after: 'abc123', ref: 'refs/heads/main' }), {
    commit: 'abc123',
    ref: 'refs/heads/main',
  });
  assert.deepEqual(
    githubRevision('push', { after: '0000000000000000000000000000000000000000', ref: 'refs/heads/gone' }),
    { commit: undefined, ref: 'refs/heads/gone' },
  );
});

test('create of a tag names the full tag ref', () => {
  assert.deepEqual(githubRevision('create', { ref: 'v1.0.0', ref_type: 'tag' }), {
    commit: undefined,
    ref: 'refs/tags/v1.0.0',
  });
});

test('check_suite revision comes from head_sha and head_branch', () => {
  assert.deepEqual(githubRevision('check_suite', { check_suite: { head_sha: 'beef', head_branch: 'dev' } }), {
    commit: 'beef',
    ref: 'refs/heads/dev',
  });
});

test('a delivery without X-GitHub-Event or X-GitHub-Delivery, or with a non-object body, is refused', () => {
  assert.throws(() => parseGithubDelivery({ 'x-github-event': 'push' }, {}), {
    name: 'RefusedError',
    code: 'BadRequest',
  });
  assert.throws(() => parseGithubDelivery({ 'x-github-event': 'push', 'x-github-delivery': 'd' }, [1]), {
    code: 'BadRequest',
  });
});

test('repository references match across URL forms and case', () => {
  for (const url of [
    'https://github.com/Octo/Hello.git',
    'git@github.com:octo/hello.git',
    'git://github.com/octo/hello',
    'https://github.com/octo/hello/',
  ]) {
    assert.equal(normalizeRepo(url), 'github.com/octo/hello', url);
  }
  const project = { metadata: {}, spec: { repo: { cloneURL: 'https://github.com/octo/hello.git' } } };
  assert.equal(projectMatchesRepository(project, { urls: ['git@github.com:octo/hello.git'] }), true);
  assert.equal(projectMatchesRepository(project, { urls: ['https://github.com/octo/hello-world.git'] }), false);
  assert.equal(
    projectMatchesRepository(
      { metadata: {}, spec: { repo: { name: 'github.com/Octo/Hello' } } },
      { fullName: 'octo/hello', urls: [] },
    ),
    true,
  );
  assert.equal(
    projectMatchesRepository(
      { metadata: {}, spec: { repo: { name: 'octo/hello' } } },
      { fullName: 'octo/hello', urls: [] },
    ),
    true,
  );
  const enterprise = { metadata: {}, spec: { repo: { name: 'ghe.example.com/octo/hello' } } };
  assert.equal(
    projectMatchesRepository(enterprise, { fullName: 'octo/hello', urls: ['https://ghe.example.com/octo/hello'] }),
    true,
  );
  assert.equal(
    projectMatchesRepository(enterprise, { fullName: 'octo/hello', urls: ['https://github.com/octo/hello'] }),
    false,
  );
  assert.equal(projectMatchesRepository({ metadata: {}, spec: {} }, { fullName: 'octo/hello', urls: [] }), false);
});

test('a GitHub signature verifies only the exact body with the exact secret', () => {
  const body = Buffer.from('{"a":1}');
  const header = githubSignature(body, 's3cret');
  assert.equal(verifyGithubSignature({ body, header, secret: 's3cret' }), true);
  assert.equal(
    verifyGithubSignature({ body, header: header.toUpperCase().replace('SHA256=', 'sha256='), secret: 's3cret' }),
    true,
  );
  assert.equal(verifyGithubSignature({ body: Buffer.from('{"a":2}'), header, secret: 's3cret' }), false);
  assert.equal(verifyGithubSignature({ body, header, secret: 'other' }), false);
  assert.equal(verifyGithubSignature({ body, header: header.replace('sha256=', 'sha1='), secret: 's3cret' }), false);
  assert.equal(verifyGithubSignature({ body, header: undefined, secret: 's3cret' }), false);
  assert.equal(verifyGithubSignature({ body, header: githubSignature(body, ''), secret: '' }), false);
});

test('shared secrets compare equal only when identical, and an empty secret never matches', () => {
  assert.equal(secretsEqual('abc', 'abc'), true);
  assert.equal(secretsEqual('abc', 'abcd'), false);
  assert.equal(secretsEqual('', ''), false);
});

test('the presented token comes from X-Brigade-Token or a Bearer Authorization header', () => {
  assert.equal(presentedToken({ 'x-brigade-token': 't1' }), 't1');
  assert.equal(presentedToken({ authorization: 'Bearer t2' }), 't2');
  assert.equal(presentedToken({ authorization: 'Basic dTpw' }), undefined);
  assert.equal(presentedToken({}), undefined);
});
