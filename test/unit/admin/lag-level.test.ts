import { lagLevel, worstLevel } from '../../../lib/admin/lag-level';

test('levels: normal under 200 ms, warning to 2 s, critical to 30 s, emergency beyond', () => {
  expect(lagLevel(0)).toBe('normal');
  expect(lagLevel(199)).toBe('normal');
  expect(lagLevel(200)).toBe('warning');
  expect(lagLevel(1_999)).toBe('warning');
  expect(lagLevel(2_000)).toBe('critical');
  expect(lagLevel(29_999)).toBe('critical');
  expect(lagLevel(30_000)).toBe('emergency');
});

test('the worst level of several', () => {
  expect(worstLevel([])).toBe('normal');
  expect(worstLevel(['warning', 'normal'])).toBe('warning');
  expect(worstLevel(['critical', 'emergency', 'normal'])).toBe('emergency');
});
