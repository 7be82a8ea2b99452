import { strict as assert } from 'node:assert';
import { dnsLabelProblem, labelKeyProblem, labelValueProblem, portNameProblem, toKubernetesName } from '../../../src/k8s/names';
import { byteQuantity, cpuQuantity, escapeDependentVariables } from '../../../src/k8s/quantities';

describe('Kubernetes names and quantities', () => {
  it('turns compose names into Kubernetes names', () => {
    assert.equal(toKubernetesName('My_Service.v2'), 'my-service-v2');
  });

  const labels: Array<[string, { startWithLetter?: boolean; maxLength?: number }, RegExp | undefined]> = [
    ['web', {}, undefined],
    ['1web', {}, undefined],
    ['1web', { startWithLetter: true }, /start with a letter/],
    ['a'.repeat(63), {}, undefined],
    ['a'.repeat(64), {}, /64 characters long, more than 63/],
    ['a'.repeat(53), { maxLength: 52 }, /more than 52/],
    ['web-', {}, /start and end/],
    ['Web', {}, /a-z, 0-9/],
    ['', {}, /empty/],
  ];
  for (const [name, options, problem] of labels) {
    it(`DNS label ${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}…(${name.length})` : name)} ${JSON.stringify(options)}`, () => {
      const found = dnsLabelProblem(name, options);
      if (problem) assert.match(found ?? '', problem);
      else assert.equal(found, undefined);
    });
  }

  const ports: Array<[string, boolean]> = [
    ['http', true],
    ['tcp-8080', true],
    ['a-very-long-name', false],
    ['8080', false],
    ['web--x', false],
    ['-web', false],
    ['udp-65535', true],
  ];
  for (const [name, valid] of ports)
    it(`port name ${name} is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(portNameProblem(name) === undefined, valid));

  const keys: Array<[string, boolean]> = [
    ['com.example.team', true],
    ['example.com/team', true],
    ['Example.com/team', false],
    ['a/b/c', false],
    ['-x', false],
    ['x'.repeat(64), false],
  ];
  for (const [key, valid] of keys)
    it(`label key ${key.slice(0, 20)} is ${valid ? 'valid' : 'invalid'}`, () => assert.equal(labelKeyProblem(key) === undefined, valid));
  it('label values', () => {
    assert.equal(labelValueProblem('shop_v2.1'), undefined);
    assert.equal(labelValueProblem(''), undefined);
    assert.match(labelValueProblem('has space') ?? '', /may hold only/);
  });

  it('formats CPU and memory quantities', () => {
    assert.deepEqual([cpuQuantity(2), cpuQuantity(0.5), cpuQuantity(1.5), cpuQuantity(0.0001)], ['2', '500m', '1500m', '1m']);
    assert.deepEqual(
      [byteQuantity(1024 ** 3), byteQuantity(512 * 1024 ** 2), byteQuantity(1000), byteQuantity(1536), byteQuantity(3072)],
      ['1Gi', '512Mi', '1000', '1536', '3Ki'],
    );
  });

  it('escapes $( so Kubernetes does not expand it', () => {
    assert.equal(escapeDependentVariables('echo $(date) $HOME ${X}'), 'echo $$(date) $HOME ${X}');
  });
});
