import assert from 'node:assert/strict';
import { assignArm, unitHash } from '../../../daemon/proxy/trafficSplit';

const ARMS = [
  { name: 'control', weight: 1 },
  { name: 'treatment', weight: 1 },
];

describe('traffic split', () => {
  it('assigns the same run to the same arm every time, and is pure', () => {
    for (let i = 0; i < 200; i++) {
      const runId = `run-${i}`;
      const first = assignArm(ARMS, 'exp-1', runId)?.name;
      for (let again = 0; again < 3; again++) assert.equal(assignArm(ARMS, 'exp-1', runId)?.name, first);
    }
  });

  it('pins known assignments (a change in the hash would silently reshuffle running experiments)', () => {
    const ids = ['run-0', 'run-1', 'run-2', 'run-3', 'run-4', 'run-5'];
    const expectedHashes = [0.241122, 0.239335, 0.388525, 0.232986, 0.783846, 0.172475];
    for (const [index, id] of ids.entries()) assert.ok(Math.abs(unitHash('exp-1', id) - expectedHashes[index]) < 1e-6, id);
    assert.deepEqual(
      ids.map((id) => assignArm(ARMS, 'exp-1', id)?.name),
      ['control', 'control', 'control', 'control', 'treatment', 'control'],
    );
  });

  it('follows the weights within sampling error, and different salts reshuffle independently', () => {
    const weighted = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
    ];
    const n = 20_000;
    let b = 0;
    let agree = 0;
    for (let i = 0; i < n; i++) {
      if (assignArm(weighted, 's1', `run-${i}`)?.name === 'b') b++;
      if (assignArm(ARMS, 's1', `run-${i}`)?.name === assignArm(ARMS, 's2', `run-${i}`)?.name) agree++;
    }
    // 0.75 ± 5 standard errors (sd = sqrt(0.75·0.25/n) ≈ 0.0031).
    assert.ok(Math.abs(b / n - 0.75) < 0.016, `share of b ${b / n}`);
    // Independent salts agree half the time.
    assert.ok(Math.abs(agree / n - 0.5) < 0.018, `agreement ${agree / n}`);
  });

  it('never picks an arm with zero weight and returns undefined without arms', () => {
    const arms = [
      { name: 'off', weight: 0 },
      { name: 'on', weight: 2 },
    ];
    for (let i = 0; i < 100; i++) assert.equal(assignArm(arms, '', `r${i}`)?.name, 'on');
    assert.equal(assignArm([], '', 'r'), undefined);
  });
});
