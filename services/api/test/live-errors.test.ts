import { describe, expect, it } from 'vitest';
import { LIVE_ERROR_CODES } from '@hazardwatch/contracts';
import { apiErrors } from '@hazardwatch/api';

describe('live refusal codes', () => {
  it('are codes of the API error registry, so REST and socket clients handle them alike', () => {
    for (const code of LIVE_ERROR_CODES) expect(apiErrors.codes).toContain(code);
  });
});
