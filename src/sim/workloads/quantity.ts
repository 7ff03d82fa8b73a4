// Kubernetes resource quantities ("500m", "1.5Gi", "2", "1e3", "128M") as plain numbers of base
// units. The simulator only compares requests with allocatable, so float precision is ample; CPU is
// rounded up to whole millicores as the real scheduler does.

const SUFFIX_FACTORS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;

export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

/** Parses a quantity into base units (cores, bytes, counts); throws QuantityError when malformed. */
export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const match = QUANTITY.exec(text.trim());
  if (!match)
    throw new QuantityError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(text)}`,
    );
  // Both optional groups may be absent from the match.
  const digits = match[1];
  const exponent = match.at(2);
  const suffix = match.at(3);
  const value = Number(digits);
  if (exponent) return value * 10 ** Number(exponent.slice(1));
  return value * SUFFIX_FACTORS[suffix ?? ''];
}

/** CPU in whole millicores, rounded up (a request of 0.1m counts as 1m, as in the scheduler). */
export function cpuMillis(text: string | number): number {
  return Math.ceil(parseQuantity(text) * 1000 - 1e-9);
}
