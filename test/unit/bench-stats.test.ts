import { median, spreadOf } from '../../bench/stats';

describe('the bench statistics', () => {
  it('when a repetition has more samples than a call takes arguments, then its spread is still computed', () => {
    const values = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 1000);
    values[123_456] = 5000; // was 64: one fewer sample at or below 499, so p50 is 500
    expect(spreadOf(values)).toEqual({ p50: 500, p90: 900, p99: 990, max: 5000 });
  });

  it('when there are no samples, then every figure is 0', () => {
    expect(spreadOf([])).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
    expect(median([])).toBe(0);
  });

  it('when samples are negative, then the maximum is theirs, not 0', () => {
    expect(spreadOf([-3, -1, -2]).max).toBe(-1);
  });
});
