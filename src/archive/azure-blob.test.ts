// The Azure Blob archive against Azurite on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite, type Azurite } from '../../test/helpers/azurite.ts';
import { ArchiveUnavailableError, archiveObjectName, azureBlobArchive, jobOfObjectName, buildPrefix } from './index.ts';

let azurite: Azurite;

before(async () => {
  azurite = await startAzurite();
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await azurite?.stop();
});

test('object names follow the documented layout and map back to job names', () => {
  const key = { namespace: 'team-a', build: 'push-1', job: 'unit tests' };
  assert.equal(archiveObjectName('prod/', key), 'prod/team-a/push-1/unit%20tests.log');
  assert.equal(
    jobOfObjectName(buildPrefix('prod/', 'team-a', 'push-1'), 'prod/team-a/push-1/unit%20tests.log'),
    'unit tests',
  );
  assert.equal(jobOfObjectName(buildPrefix('', 'a', 'b'), 'a/b/c/d.log'), undefined);
});

test('a log is put, read back whole, listed by build, and located by a URL without credentials', async () => {
  const archive = azureBlobArchive({ connectionString: azurite.connectionString, container: 'logs-a', prefix: 'p/' });
  const text = 'é line\n'.repeat(200_000); // 1.6 MB, more than one ConfigMap's worth
  const key = { namespace: 'ns', build: 'b-1', job: 'build' };
  const location = await archive.put(key, text, { project: 'proj', jobResource: 'b-1-build', truncated: false });
  assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1\/logs-a\/p\/ns\/b-1\/build\.log$/);
  assert.ok(!location.includes(azurite.accountKey));
  assert.equal(await archive.get(key), text);
  await archive.put({ ...key, job: 'test' }, 'ok\n', { project: 'proj', jobResource: 'b-1-test', truncated: false });
  await archive.put({ ...key, build: 'b-10', job: 'other' }, 'x', {
    project: 'proj',
    jobResource: 'x',
    truncated: true,
  });
  assert.deepEqual(await archive.jobsOf('ns', 'b-1'), ['build', 'test']);
  assert.equal(await archive.get({ ...key, job: 'none' }), undefined);
  assert.deepEqual(await archive.jobsOf('ns', 'no-such-build'), []);
  assert.ok(!archive.description.includes(azurite.accountKey), archive.description);
});

test('a wrong account key is refused (not retried), and the error never holds the key', async () => {
  const wrongKey = Buffer.from('not the right key at all, 64 bytes long .......................').toString('base64');
  const archive = azureBlobArchive({
    connectionString: azurite.connectionString.replace(azurite.accountKey, wrongKey),
    container: 'logs-b',
  });
  const err = await archive
    .put({ namespace: 'n', build: 'b', job: 'j' }, 'x', {
      project: 'p',
      jobResource: 'r',
      truncated: false,
    })
    .then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  assert.ok(err, 'the put was refused');
  assert.ok(!(err instanceof ArchiveUnavailableError), `a refusal, not an outage: ${err.message}`);
  assert.match(err.message, /could not archive the log of job j: 403/);
  assert.ok(!err.message.includes(wrongKey));
});

test('an archive that cannot be reached is unavailable (tried again later)', async () => {
  const archive = azureBlobArchive({
    connectionString: azurite.connectionString.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1'),
    container: 'logs-c',
  });
  await assert.rejects(archive.get({ namespace: 'n', build: 'b', job: 'j' }), ArchiveUnavailableError);
});
