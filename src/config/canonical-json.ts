/**
 * Canonical JSON: the byte-exact encoding that config hashes and cache keys are computed
 * over. Rules (reference-pipeline.md section 1.4): object keys sorted by code point, no
 * whitespace, `,` and `:` separators, non-ASCII escaped as \uXXXX, and floats written the
 * way Python's `repr` writes them (`0.0`, `0.25`, `1e-05`), so that hashes agree with the
 * original implementation.
 */

/**
 * Encodes `value` canonically. Numbers at paths in `floatPaths` (dotted, `[]` for array
 * elements) are always written as floats; other integers are written as integers.
 * Throws on NaN, Infinity, undefined, functions and other non-JSON values.
 */
export function canonicalJson(value: unknown, floatPaths: ReadonlySet<string> = new Set()): string {
  return encode(value, '', floatPaths);
}

function encode(value: unknown, path: string, floatPaths: ReadonlySet<string>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return encodeString(value);
    case 'number':
      return encodeNumber(value, floatPaths.has(path), path);
    case 'object':
      if (Array.isArray(value)) {
        const items = value.map((item) => encode(item, `${path}[]`, floatPaths));
        return `[${items.join(',')}]`;
      }
      return encodeObject(value as Record<string, unknown>, path, floatPaths);
    default:
      throw new TypeError(`canonicalJson: ${path || '<root>'} holds a ${typeof value}, which JSON cannot encode`);
  }
}

function encodeObject(obj: Record<string, unknown>, path: string, floatPaths: ReadonlySet<string>): string {
  const keys = Object.keys(obj)
    .filter((key) => obj[key] !== undefined)
    .sort(compareCodePoints);
  const fields = keys.map((key) => {
    const childPath = path === '' ? key : `${path}.${key}`;
    return `${encodeString(key)}:${encode(obj[key], childPath, floatPaths)}`;
  });
  return `{${fields.join(',')}}`;
}

function compareCodePoints(a: string, b: string): number {
  // Python sorts str keys by code point; JS's default sort compares UTF-16 units, which
  // differs only for astral characters. Compare code points explicitly.
  const ca = Array.from(a, (ch) => ch.codePointAt(0)!);
  const cb = Array.from(b, (ch) => ch.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return ca[i] - cb[i];
  }
  return ca.length - cb.length;
}

function encodeString(text: string): string {
  // JSON.stringify escapes quotes, backslashes and control characters as Python does;
  // then escape every non-ASCII UTF-16 unit (Python's ensure_ascii writes surrogate pairs).
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function encodeNumber(value: number, isFloat: boolean, path: string): string {
  if (!Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: ${path || '<root>'} is ${value}, which JSON cannot encode`);
  }
  if (Number.isInteger(value) && !isFloat) {
    if (!Number.isSafeInteger(value)) {
      throw new TypeError(`canonicalJson: ${path} is ${value}, an integer beyond 2^53 that cannot be encoded exactly`);
    }
    return String(value);
  }
  return pythonFloatRepr(value);
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (JavaScript finds the same
 * digits), written in fixed notation when the decimal exponent is in [-4, 16) and in
 * scientific notation with a signed, at least two-digit exponent otherwise.
 */
export function pythonFloatRepr(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  if (value === 0) return '0.0';
  const [mantissa, expText] = Math.abs(value).toExponential().split('e');
  const exponent = Number(expText);
  const digits = mantissa.replace('.', '');
  const sign = value < 0 ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    return sign + fixedNotation(digits, exponent);
  }
  const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function fixedNotation(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fracPart = digits.slice(exponent + 1);
  return `${intPart}.${fracPart === '' ? '0' : fracPart}`;
}
