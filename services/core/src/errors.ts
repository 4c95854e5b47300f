/**
 * The codes `@hazardwatch/core` raises (STYLE rule 4). The registry machinery (`defineErrors`,
 * `HazardWatchError`) is @hazardwatch/kit's, shared by every package.
 */
import { defineErrors } from '@hazardwatch/kit';

export const coreErrors = defineErrors('HW_CORE', {
  HW_CORE_GB18218_UNKNOWN_SUBSTANCE: {
    template: 'GB 18218-2018: substance "{substance}" is not in Table 1 and no hazard category was given',
    retryable: false,
    status: 400,
  },
  HW_CORE_GB18218_UNKNOWN_CATEGORY: {
    template: 'GB 18218-2018: "{category}" is not a Table 2 hazard category',
    retryable: false,
    status: 400,
  },
  HW_CORE_GB18218_BETA_UNKNOWN: {
    template:
      'GB 18218-2018: no correction factor β for "{substance}": not a Table 3 gas, and no hazard category for Table 4',
    retryable: false,
    status: 400,
  },
  HW_CORE_GB18218_NAME_CAS_CONFLICT: {
    template:
      'GB 18218-2018 Table 1: name "{substance}" and CAS {cas} do not name the same substance ({detail})',
    retryable: false,
    status: 400,
  },
  HW_CORE_GB18218_AMBIGUOUS_SUBSTANCE: {
    template: 'GB 18218-2018 Table 1: "{substance}" matches several entries ({candidates}); name the variant',
    retryable: false,
    status: 400,
  },
  HW_CORE_GB18218_INVALID_QUANTITY: {
    template: 'GB 18218-2018: quantity {quantity} t for "{substance}" must be a finite number ≥ 0',
    retryable: false,
    status: 400,
  },
  HW_CORE_INVALID_POPULATION: {
    template: 'exposed population {population} must be an integer ≥ 0',
    retryable: false,
    status: 400,
  },
  HW_CORE_INVALID_NUMBER: {
    template: '{name} must be a finite number, got {value}',
    retryable: false,
    status: 400,
  },
  HW_CORE_SITE_INVALID: {
    template: 'site configuration is invalid ({count} errors); first: {first}',
    retryable: false,
    status: 400,
  },
  HW_CORE_SITE_INDEX_MISSING_ID: {
    template: 'point id mapping has no id for point {enterprise}/{tag}',
    retryable: false,
  },
  HW_CORE_SITE_INDEX_BAD_ID: {
    template: 'point id {id} for {enterprise}/{tag} is not a unique non-negative safe integer',
    retryable: false,
  },
  HW_CORE_REPLAY_AFTER_START: {
    template:
      'stored readings can be replayed only before the first tick and the first live sample ({reason})',
    retryable: false,
  },
});

export type CoreErrorCode = (typeof coreErrors.codes)[number];
