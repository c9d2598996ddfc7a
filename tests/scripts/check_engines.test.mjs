// Tests of scripts/check-engines.mjs: the ranges npm packages write, and a
// lockfile that locks a package too new for the project's lowest Node.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import { satisfies, checkLock } from '../../scripts/check-engines.mjs';

test('ranges as npm packages write them', () => {
  const cases = [
    ['>=18', '18.19.0', true], ['>=20', '18.20.4', false], ['>= 16', '18.0.0', true],
    ['>=0.10.0', '18.19.0', true], ['^18.12.0 || >=20', '18.19.0', true],
    ['^18.12.0 || >=20', '19.1.0', false], ['^18.12.0 || >=20', '21.0.0', true],
    ['>=14 <19', '18.19.0', true], ['>=14 <19', '19.0.0', false], ['18.x', '18.5.1', true],
    ['18.x', '19.0.0', false], ['~18.19', '18.19.7', true], ['~18.19', '18.20.0', false],
    ['^0.10.1', '0.10.9', true], ['^0.10.1', '0.11.0', false], ['*', '18.0.0', true],
    ['>18', '18.20.4', false], ['>18', '19.0.0', true], ['<=18', '18.20.4', true],
  ];
  for (const [range, version, expected] of cases) {
    assert.equal(satisfies(range, version), expected, `${range} at ${version}`);
  }
  assert.equal(satisfies('>=node18', '18.0.0'), null);
});

test('a lockfile with a package that needs a newer Node.js fails', () => {
  const pkg = { engines: { node: '>=18.19' } };
  const lock = { packages: {
    '': { engines: { node: '>=18.19' } },
    'node_modules/old': { version: '1.0.0', engines: { node: '>=10' } },
    'node_modules/playwright-core': { version: '1.65.1', engines: { node: '>=20' } },
  } };
  const { problems, checked } = checkLock(pkg, lock, '20.20.2');
  assert.equal(checked, 2);
  assert.deepEqual(problems, ['node_modules/playwright-core 1.65.1: engines.node ">=20" refuses Node.js 18.19.0']);
  assert.deepEqual(checkLock(pkg, { packages: { 'node_modules/x': { version: '1', engines: { node: 'weird' } } } }).problems,
                   ['node_modules/x: cannot read engines.node "weird"']);
  assert.match(checkLock({}, lock).problems[0], /engines\.node must read/);
});
