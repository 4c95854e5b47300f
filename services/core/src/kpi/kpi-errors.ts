/** Codes of the alarm-KPI functions. They throw: a bad range or option is a caller bug. */
import { defineErrors, type HazardWatchError } from '@hazardwatch/kit';

export const kpiErrors = defineErrors('HW_CORE', {
  HW_CORE_KPI_INVALID_RANGE: {
    template: 'KPI range [{fromMs}, {toMs}) must be finite ms with fromMs < toMs',
    retryable: false,
    status: 400,
  },
  HW_CORE_KPI_INVALID_OPTION: {
    template: 'KPI option {key} {problem}',
    retryable: false,
    status: 400,
  },
});

export type KpiErrorCode = (typeof kpiErrors.codes)[number];
export type KpiError = HazardWatchError<KpiErrorCode>;
