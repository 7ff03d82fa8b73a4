import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuantityError, cpuMillis, parseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it('reads plain, decimal-suffixed and binary-suffixed quantities', () => {
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1k'), 1000);
    assert.equal(parseQuantity('128M'), 128e6);
    assert.equal(parseQuantity('8Gi'), 8 * 2 ** 30);
    assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseQuantity('512Ki'), 512 * 1024);
    assert.equal(parseQuantity('4Ti'), 4 * 2 ** 40);
  });

  it('reads exponent notation', () => {
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('12E-3'), 0.012);
  });

  it('passes numbers through', () => {
    assert.equal(parseQuantity(3), 3);
  });

  it('rejects malformed quantities', () => {
    for (const bad of ['', 'abc', '1Gb', '1 Gi', '--1', '1m2']) {
      assert.throws(() => parseQuantity(bad), QuantityError, bad);
    }
  });
});

describe('cpuMillis', () => {
  it('rounds CPU up to whole millicores', () => {
    assert.equal(cpuMillis('3'), 3000);
    assert.equal(cpuMillis('250m'), 250);
    assert.equal(cpuMillis('0.1m'), 1);
    assert.equal(cpuMillis('1.0001'), 1001);
  });
});
