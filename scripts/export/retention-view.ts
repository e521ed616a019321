/**
 * The retention view as rows: one per delivery-month cohort and month after delivery (month 0 is the
 * delivery month), every month up to the store's `asOf` listed, also those without activity. The share the
 * graph shows is `active_vehicles / vehicles`: both counts are exported, not the ratio, so nothing is a float.
 */
import { column } from './columns';
import type { AnswerView } from './view';

/** The graph lists at most 120 months after delivery: ten years, every month any cohort has reached. */
const MONTHS = 120;

const DOCUMENT = /* GraphQL */ `
  query ExportRetention($from: DateTime, $to: DateTime, $months: Int!) {
    analystRetention(fromCohort: $from, toCohort: $to, months: $months) {
      cohorts { cohort vehicles months { monthIndex activeVehicles } }
    }
  }`;

interface Cohort {
  cohort: string;
  vehicles: number;
  months: Array<{ monthIndex: number; activeVehicles: number }>;
}

export const retention: AnswerView = {
  kind: 'answer',
  name: 'retention',
  field: 'analystRetention',
  description: 'per delivery-month cohort and month k after delivery: the vehicles, and those active (--from/--to: delivery month)',
  takesPeriod: true,
  async rows(ask, period) {
    const data = await ask(DOCUMENT, { ...period, months: MONTHS });
    const cohorts = (data.analystRetention as { cohorts: Cohort[] }).cohorts;
    return cohorts.flatMap((c) => c.months.map((m) => ({ cohort: c.cohort, vehicles: c.vehicles, monthIndex: m.monthIndex, activeVehicles: m.activeVehicles })));
  },
  keyOf: (row) => {
    const r = row as { cohort: string; monthIndex: number };
    return `${r.cohort}/${r.monthIndex}`;
  },
  columns: [column.string('cohort'), column.int('vehicles'), column.int('month_index', ['monthIndex']), column.int('active_vehicles', ['activeVehicles'])],
};
