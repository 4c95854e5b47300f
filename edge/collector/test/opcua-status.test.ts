import { DataType, DataValue, StatusCodes, Variant, type StatusCode } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { IDENTITY_SCALE, numericFromVariant, qualityOfStatus, readingFromDataValue } from '../src/index.js';

const NOW = 1_700_000_000_000;

describe('OPC-UA status → quality', () => {
  it.each<[StatusCode, 'good' | 'uncertain' | 'bad']>([
    [StatusCodes.Good, 'good'],
    [StatusCodes.GoodClamped, 'good'],
    [StatusCodes.GoodLocalOverride, 'good'],
    [StatusCodes.Uncertain, 'uncertain'],
    [StatusCodes.UncertainLastUsableValue, 'uncertain'],
    [StatusCodes.UncertainSensorNotAccurate, 'uncertain'],
    [StatusCodes.UncertainEngineeringUnitsExceeded, 'uncertain'],
    [StatusCodes.Bad, 'bad'],
    [StatusCodes.BadSensorFailure, 'bad'],
    [StatusCodes.BadCommunicationError, 'bad'],
    [StatusCodes.BadOutOfService, 'bad'],
    [StatusCodes.BadWaitingForInitialData, 'bad'],
  ])('%s → %s', (status, quality) => {
    expect(qualityOfStatus(status.value)).toBe(quality);
  });

  it('reads the severity bits only: info bits (overflow, limits) do not change the class', () => {
    expect(qualityOfStatus(StatusCodes.Good.value | 0x0480)).toBe('good');
    expect(qualityOfStatus(StatusCodes.UncertainLastUsableValue.value | 0x0100)).toBe('uncertain');
    expect(qualityOfStatus(0xc0000000)).toBe('bad'); // reserved severity 11
  });
});

describe('numericFromVariant', () => {
  it.each<[DataType, unknown, number | undefined]>([
    [DataType.Double, 1.5, 1.5],
    [DataType.Float, -3, -3],
    [DataType.Int16, 27648, 27648],
    [DataType.Boolean, true, 1],
    [DataType.Boolean, false, 0],
    [DataType.Int64, [1, 5], 2 ** 32 + 5],
    [DataType.UInt64, [0, 0xffffffff], 0xffffffff],
    [DataType.Double, Number.NaN, undefined],
    [DataType.Double, Number.POSITIVE_INFINITY, undefined],
    [DataType.String, '12', undefined],
    [DataType.Null, null, undefined],
    [DataType.Double, [1, 2], undefined],
  ])('%s %j → %s', (dataType, value, expected) => {
    expect(numericFromVariant(dataType, value)).toBe(expected);
  });
});

describe('readingFromDataValue', () => {
  const dv = (status: StatusCode, variant: Variant | null, source?: Date, server?: Date): DataValue =>
    new DataValue({
      statusCode: status,
      ...(variant === null ? {} : { value: variant }),
      ...(source === undefined ? {} : { sourceTimestamp: source }),
      ...(server === undefined ? {} : { serverTimestamp: server }),
    });
  const double = (v: number): Variant => new Variant({ dataType: DataType.Double, value: v });
  const scale = { factor: 0.5, offset: 10 };

  it('scales, keeps the source timestamp and omits quality when good', () => {
    const out = readingFromDataValue('PT-1', scale, dv(StatusCodes.Good, double(4), new Date(NOW - 5)), NOW);
    expect(out).toEqual({ kind: 'reading', reading: { tag: 'PT-1', ts: NOW - 5, value: 12 } });
  });

  it('falls back to the server timestamp, then to now', () => {
    const server = readingFromDataValue(
      'T',
      IDENTITY_SCALE,
      dv(StatusCodes.Good, double(1), undefined, new Date(NOW - 9)),
      NOW,
    );
    expect(server).toMatchObject({ reading: { ts: NOW - 9 } });
    const none = readingFromDataValue('T', IDENTITY_SCALE, dv(StatusCodes.Good, double(1)), NOW);
    expect(none).toMatchObject({ reading: { ts: NOW } });
  });

  it('sends a Bad value that has a number, with quality bad', () => {
    const out = readingFromDataValue(
      'T',
      IDENTITY_SCALE,
      dv(StatusCodes.BadSensorFailure, double(3), new Date(NOW)),
      NOW,
    );
    expect(out).toEqual({ kind: 'reading', reading: { tag: 'T', ts: NOW, value: 3, quality: 'bad' } });
  });

  it('never invents: a Bad status without a value is skipped', () => {
    expect(
      readingFromDataValue('T', IDENTITY_SCALE, dv(StatusCodes.BadCommunicationError, null), NOW),
    ).toEqual({
      kind: 'skipped',
      status: StatusCodes.BadCommunicationError.value,
    });
  });

  it('reports a node that went away (BadNodeIdUnknown / BadNodeIdInvalid)', () => {
    for (const status of [StatusCodes.BadNodeIdUnknown, StatusCodes.BadNodeIdInvalid]) {
      expect(readingFromDataValue('T', IDENTITY_SCALE, dv(status, null), NOW)).toEqual({
        kind: 'node_gone',
        status: status.value,
      });
    }
  });

  it('maps a switch to 0/1', () => {
    const on = new Variant({ dataType: DataType.Boolean, value: true });
    expect(
      readingFromDataValue('XS', IDENTITY_SCALE, dv(StatusCodes.Good, on, new Date(NOW)), NOW),
    ).toMatchObject({
      reading: { value: 1 },
    });
  });
});
