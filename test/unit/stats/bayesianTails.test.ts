import assert from 'node:assert/strict';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { bayesianWinner, effectRisk, truncatedNormalMean } from '../../../daemon/optimize/stats/bayesian';

function phi(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

describe('stats/bayesian tails', () => {
  it('truncated-normal means match the closed forms in the body of the distribution', () => {
    // E[X | X > 0] for N(1, 2²): μ + σ·φ(α)/(1 − Φ(α)), α = −0.5.
    const expectedUpper = 1 + (2 * phi(-0.5)) / (1 - normalCdf(-0.5, 0, 1));
    assert.ok(Math.abs(truncatedNormalMean(1, 2, 0, Infinity) - expectedUpper) < 1e-12);
    const expectedLower = 1 - (2 * phi(-0.5)) / normalCdf(-0.5, 0, 1);
    assert.ok(Math.abs(truncatedNormalMean(1, 2, -Infinity, 0) - expectedLower) < 1e-12);
    // Symmetric two-sided truncation keeps the mean.
    assert.ok(Math.abs(truncatedNormalMean(3, 1, 2, 4) - 3) < 1e-12);
  });

  it('switches to the Mills-ratio asymptote far in a tail and stays finite', () => {
    // Bound 2000σ above the mean: mean ≈ b + σ²/(b − μ).
    const m = truncatedNormalMean(0, 1, 2000, Infinity);
    assert.equal(m, 2000 + 1 / 2000);
    // Between the underflow of Φ (~38σ) and the switch the asymptote is also used, not NaN.
    const mid = truncatedNormalMean(0, 1, -Infinity, -100);
    assert.ok(Number.isFinite(mid));
    assert.ok(mid < -100 && mid > -100.02);
    // Just inside where the exact form works, it agrees with the asymptote to O(1/b³).
    const exact = truncatedNormalMean(0, 1, 30, Infinity);
    assert.ok(Math.abs(exact - (30 + 1 / 30)) < 1e-4);
  });

  it('risk equals the partial expectations E[X⁺] and E[X⁻]', () => {
    const mu = 0.03;
    const sd = 0.02;
    const z = mu / sd;
    const [control, treatment] = effectRisk(mu, sd);
    assert.ok(Math.abs(control - (mu * normalCdf(z, 0, 1) + sd * phi(z))) < 1e-12);
    assert.ok(Math.abs(treatment - (-mu * normalCdf(-z, 0, 1) + sd * phi(z))) < 1e-12);
    assert.ok(Math.abs(control - treatment - mu) < 1e-12);
  });

  it('risk stays finite when the posterior is thousands of sd from zero', () => {
    const [control, treatment] = effectRisk(5, 1e-4);
    assert.ok(Math.abs(control - 5) < 1e-9);
    assert.ok(treatment >= 0 && treatment < 1e-12);
  });

  it('GrowthBook winner rule: chance ≥ 0.95 or low risk', () => {
    const base = { valid: true, posteriorMean: 0, posteriorSd: 0, ci: [0, 0] as const };
    assert.equal(bayesianWinner({ ...base, chanceToWin: 0.96, risk: [0.1, 0.01] }), true);
    assert.equal(bayesianWinner({ ...base, chanceToWin: 0.7, risk: [0.1, 0.001] }), true);
    assert.equal(bayesianWinner({ ...base, chanceToWin: 0.7, risk: [0.1, 0.01] }), false);
  });
});
