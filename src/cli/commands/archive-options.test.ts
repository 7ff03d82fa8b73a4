import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AZURE_CONNECTION_STRING_ENV } from '../../archive/index.ts';
import { archiveFromOptions } from './archive-options.ts';
import { UsageError } from './options.ts';

const CONNECTION =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5LXRoYXQtaXMtc2VjcmV0;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';

test('no --log-archive: no archive; its other flags alone are refused', () => {
  assert.equal(archiveFromOptions({}, {}), undefined);
  assert.throws(() => archiveFromOptions({ 'log-archive-container': 'logs' }, {}), /need --log-archive/);
});

test('--log-archive reads the connection string from the environment and says so when it is missing', () => {
  assert.throws(
    () => archiveFromOptions({ 'log-archive': 'azure-blob' }, {}),
    (err: unknown) =>
      err instanceof UsageError && err.message.includes(`$${AZURE_CONNECTION_STRING_ENV}, which is not set`),
  );
  const archive = archiveFromOptions(
    { 'log-archive': 'azure-blob', 'log-archive-container': 'team-logs' },
    { [AZURE_CONNECTION_STRING_ENV]: CONNECTION },
  );
  assert.equal(archive?.description, 'Azure Blob Storage http://127.0.0.1:10000/devstoreaccount1/team-logs');
});

test('an unknown kind, a bad container name or an unusable connection string is refused without echoing secrets', () => {
  const env = { [AZURE_CONNECTION_STRING_ENV]: CONNECTION };
  assert.throws(() => archiveFromOptions({ 'log-archive': 's3' }, env), /must be one of azure-blob/);
  assert.throws(
    () => archiveFromOptions({ 'log-archive': 'azure-blob', 'log-archive-container': 'Bad_Name' }, env),
    /not a blob container name/,
  );
  const secretish = 'AccountName=x;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;NoEndpoint';
  assert.throws(
    () => archiveFromOptions({ 'log-archive': 'azure-blob' }, { [AZURE_CONNECTION_STRING_ENV]: secretish }),
    (err: unknown) =>
      err instanceof UsageError &&
      /not a usable connection string/.test(err.message) &&
      !err.message.includes('c2VjcmV0'),
  );
});
