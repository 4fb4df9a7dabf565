import { describe, expect, it } from 'vitest';
import { canonicalJson, pythonFloatRepr } from '../../src/config/canonical-json';

describe('pythonFloatRepr', () => {
  it.each([
    [0, '0.0'],
    [0.25, '0.25'],
    [0.03, '0.03'],
    [3e-4, '0.0003'],
    [1e-5, '1e-05'],
    [1, '1.0'],
    [123.5, '123.5'],
    [1e16, '1e+16'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [-2.5e-7, '-2.5e-07'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e15, '1000000000000000.0'],
  ])('writes %s as Python repr writes it: %s', (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe('canonicalJson', () => {
  it('sorts keys by code point with uppercase before lowercase and uses no whitespace', () => {
    expect(canonicalJson({ n: 1, K: 2, b: [1, 2] })).toBe('{"K":2,"b":[1,2],"n":1}');
  });

  it('writes integers as integers except at float paths', () => {
    expect(canonicalJson({ a: 1, b: { c: 0 }, d: [1, 2] }, new Set(['b.c', 'd[]']))).toBe('{"a":1,"b":{"c":0.0},"d":[1.0,2.0]}');
  });

  it('escapes non-ASCII characters as \\u sequences like Python ensure_ascii', () => {
    expect(canonicalJson({ s: 'é😀' })).toBe('{"s":"\\u00e9\\ud83d\\ude00"}');
  });

  it('rejects NaN and Infinity naming the path', () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(/a\.b is NaN/);
    expect(() => canonicalJson([Infinity])).toThrow(/Infinity/);
  });

  it('omits undefined object fields and keeps null', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });
});
