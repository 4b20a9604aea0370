import { lagLevel, worstLevel } from '../../../lib/admin/lag-level';
import { isToolGroup } from '../../../lib/admin/tool-groups';

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

test('tool groups are told apart from the pipeline groups', () => {
  expect(isToolGroup('streamfold-timestamps-8a1f0c3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f')).toBe(true);
  expect(isToolGroup('order-aggregator-store-reader-8a1f0c3e-1f2b-4c5d-9e8f-0a1b2c3d4e5f')).toBe(true);
  expect(isToolGroup('order-aggregator')).toBe(false);
  expect(isToolGroup('test.redis-sink')).toBe(false);
});
