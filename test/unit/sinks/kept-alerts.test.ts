import type { FraudAlert } from '../../../schemas/generated/types';
import { keptAlerts } from '../../../sinks/redis/alert-entry';
import { Random } from '../../../producers/loadgen/random';
import { SAMPLE_RECORDS } from '../../fixtures/sample-records';
import { applyOps, emptyModel } from './redis-model';

const T = SAMPLE_RECORDS.FraudAlert.detectedAt.getTime();
const alert = (alertId: string, at: number, observed = 3): FraudAlert => ({ ...SAMPLE_RECORDS.FraudAlert, alertId, detectedAt: new Date(T + at), observed });
const ids = (alerts: readonly FraudAlert[]) => alerts.map((a) => a.alertId);

describe('keptAlerts', () => {
  test('the newest `keep`, oldest first; equal times ordered by id as a sorted set orders members', () => {
    const alerts = [alert('d', 3), alert('a', 1), alert('c', 2), alert('b', 2)];
    expect(ids(keptAlerts(alerts, 10))).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(keptAlerts(alerts, 2))).toEqual(['c', 'd']);
    expect(keptAlerts(alerts, 0)).toEqual([]);
  });

  test('an id delivered twice is one entry, the later delivery', () => {
    const kept = keptAlerts([alert('a', 1, 3), alert('b', 2), alert('a', 1, 4)], 10);
    expect(kept.map((a) => [a.alertId, a.observed])).toEqual([
      ['a', 4],
      ['b', 3],
    ]);
  });

  test('the same set the Lua script leaves (modelled), whatever order the alerts arrive in', () => {
    const random = new Random(7);
    for (let run = 0; run < 50; run++) {
      const alerts = Array.from({ length: random.int(0, 30) }, (_, i) => alert(`alert-${random.int(0, 40)}-${i % 3}`, random.int(0, 20) * 1000));
      const keep = random.int(1, 10);
      const model = emptyModel();
      applyOps(
        model,
        alerts.map((a) => ({ kind: 'add-alert', customerId: a.customerId, alertId: a.alertId, alert: a, records: [] })),
        keep,
      );
      const modelled = [...(model.alerts.get(SAMPLE_RECORDS.FraudAlert.customerId) ?? new Map<string, unknown>()).keys()].sort();
      expect(ids(keptAlerts(alerts, keep)).sort()).toEqual(modelled);
    }
  });
});
