/** One rule's aggregate over one window: the unit the detector stores, snapshots and alerts on. */
import type { TimeWindow } from '../windows';
import type { FraudRule } from './rule-names';
import type { WindowAggregate } from './window-aggregate';

export interface RuleWindow {
  readonly rule: FraudRule;
  readonly window: TimeWindow;
  readonly aggregate: WindowAggregate;
}
