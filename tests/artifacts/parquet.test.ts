import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Column,
  columnData,
  getColumn,
  openParquetWriter,
  readIntMatrix,
  readParquet,
  writeIntMatrix,
  writeParquet,
} from '../../src/artifacts/parquet';
import { InputError } from '../../src/errors';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'parquet-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => join(dir, name);

/** One column of every type, with nulls in each nullable one. */
function everyType(): Column[] {
  return [
    { name: 'id', type: 'int32', data: new Int32Array([0, 1, 2, 3]) },
    { name: 'r', type: 'int32', data: new Int32Array([5, 0, -7, 2 ** 31 - 1]), valid: new Uint8Array([1, 0, 1, 1]) },
    { name: 'big', type: 'int64', data: new BigInt64Array([2n ** 62n + 1n, -(2n ** 63n), 0n, 9n]) },
    { name: 'big_null', type: 'int64', data: new BigInt64Array([1n, 2n, 3n, 4n]), valid: new Uint8Array([0, 1, 1, 0]) },
    { name: 'theta', type: 'float64', data: new Float64Array([0.5, Number.NaN, -Infinity, 1e-300]) },
    { name: 'theta_null', type: 'float64', data: new Float64Array([1, 2, 3, 4]), valid: new Uint8Array([1, 1, 0, 1]) },
    { name: 'is_jumper', type: 'bool', data: new Uint8Array([1, 0, 0, 1]) },
    { name: 'flag', type: 'bool', data: new Uint8Array([0, 1, 1, 1]), valid: new Uint8Array([1, 1, 0, 1]) },
    { name: 'label', type: 'string', data: ['a', '', 'ü€ 😀', 'x'], valid: new Uint8Array([1, 1, 1, 0]) },
    {
      name: 'ragged',
      type: 'list<int32>',
      data: { offsets: new Int32Array([0, 2, 2, 5, 5]), values: new Int32Array([1, 2, 3, 4, 5]) },
      valid: new Uint8Array([1, 1, 1, 0]),
    },
    {
      name: 'fixed',
      type: 'list<int32>',
      data: { offsets: new Int32Array([0, 3, 6, 9, 12]), values: Int32Array.from({ length: 12 }, (_, i) => i - 6) },
    },
  ];
}

/** What a read returns for `everyType()`: null rows hold 0, '' or an empty list. */
function expectedRead(): Column[] {
  const columns = everyType();
  const byName = new Map(columns.map((c) => [c.name, c]));
  (byName.get('r')!.data as Int32Array)[1] = 0;
  (byName.get('big_null')!.data as BigInt64Array).set([0n, 2n, 3n, 0n]);
  (byName.get('theta_null')!.data as Float64Array)[2] = 0;
  (byName.get('flag')!.data as Uint8Array)[2] = 0;
  byName.get('label')!.data = ['a', '', 'ü€ 😀', ''];
  byName.get('ragged')!.data = { offsets: new Int32Array([0, 2, 2, 5, 5]), values: new Int32Array([1, 2, 3, 4, 5]) };
  return columns;
}

describe('writeParquet / readParquet', () => {
  it('round-trips every column type, nulls included', async () => {
    const path = file('every-type.parquet');
    await writeParquet(path, everyType());
    const table = await readParquet(path);
    expect(table.numRows).toBe(4);
    expect(table.columns).toEqual(expectedRead());
  });

  it('round-trips with every compression codec and small row groups', async () => {
    for (const compression of ['uncompressed', 'snappy', 'lz4', 'zstd'] as const) {
      const path = file(`codec-${compression}.parquet`);
      await writeParquet(path, everyType(), { compression, rowGroupSize: 1 });
      expect((await readParquet(path)).columns).toEqual(expectedRead());
    }
  });

  it('reads only the requested columns, in the requested order', async () => {
    const path = file('subset.parquet');
    await writeParquet(path, everyType());
    const table = await readParquet(path, { columns: ['theta', 'id'] });
    expect(table.columns.map((c) => c.name)).toEqual(['theta', 'id']);
    expect(columnData(table, 'id', 'int32')).toEqual(new Int32Array([0, 1, 2, 3]));
    expect(getColumn(table, 'theta', 'float64').valid).toBeUndefined();
    expect(() => columnData(table, 'id', 'float64')).toThrow(/int32, not float64/);
    expect(() => columnData(table, 'r', 'int32')).toThrow(/no column "r"/);
  });

  it('writes and reads a table with zero rows', async () => {
    const path = file('empty.parquet');
    await writeParquet(path, [
      { name: 'a', type: 'int32', data: new Int32Array(0) },
      { name: 'l', type: 'list<int32>', data: { offsets: new Int32Array([0]), values: new Int32Array(0) } },
      { name: 's', type: 'string', data: [] },
    ]);
    const table = await readParquet(path);
    expect(table.numRows).toBe(0);
    expect(table.columns.map((c) => [c.name, c.type])).toEqual([
      ['a', 'int32'],
      ['l', 'list<int32>'],
      ['s', 'string'],
    ]);
  });

  it('round-trips lists that are all empty', async () => {
    const path = file('empty-lists.parquet');
    const lists = { offsets: new Int32Array(4), values: new Int32Array(0) };
    await writeParquet(path, [{ name: 'l', type: 'list<int32>', data: lists }]);
    expect(columnData(await readParquet(path), 'l', 'list<int32>')).toEqual(lists);
  });

  it('writes standard Parquet: PAR1 magic at both ends of the file', async () => {
    const path = file('magic.parquet');
    await writeParquet(path, everyType());
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(bytes.length - 4).toString('latin1')).toBe('PAR1');
  });

  it('rejects a missing file with an InputError naming the path', async () => {
    const path = file('does-not-exist.parquet');
    const read = readParquet(path);
    await expect(read).rejects.toBeInstanceOf(InputError);
    await expect(readParquet(path)).rejects.toThrow(path);
  });

  it('rejects a file that is not Parquet, and a missing column, naming the path', async () => {
    const notParquet = file('not-parquet.parquet');
    await writeFile(notParquet, 'hello, world');
    await expect(readParquet(notParquet)).rejects.toThrow(notParquet);
    const path = file('missing-column.parquet');
    await writeParquet(path, everyType());
    await expect(readParquet(path, { columns: ['nope'] })).rejects.toThrow(/nope/);
  });

  it('refuses columns of different lengths and duplicate names', async () => {
    const a: Column = { name: 'a', type: 'int32', data: new Int32Array(2) };
    const b: Column = { name: 'b', type: 'float64', data: new Float64Array(3) };
    await expect(writeParquet(file('bad.parquet'), [a, b])).rejects.toThrow(/"b" has 3 rows/);
    await expect(writeParquet(file('bad.parquet'), [a, a])).rejects.toThrow(/duplicate column "a"/);
  });
});

describe('writeIntMatrix / readIntMatrix', () => {
  const names = { idColumn: 'walk', listColumn: 'tokens' };

  function randomMatrix(rows: number, width: number): Int32Array {
    let state = 12345;
    return Int32Array.from({ length: rows * width }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state % 500;
    });
  }

  it('round-trips a walk corpus as one flat Int32Array, ids defaulting to 0..rows-1', async () => {
    const path = file('walks.parquet');
    const values = randomMatrix(1000, 64);
    await writeIntMatrix(path, names, { values, rows: 1000, width: 64 }, { rowGroupSize: 300 });
    const matrix = await readIntMatrix(path, names);
    expect(matrix.rows).toBe(1000);
    expect(matrix.width).toBe(64);
    expect(matrix.values).toEqual(values);
    expect(matrix.ids).toEqual(Int32Array.from({ length: 1000 }, (_, i) => i));
  });

  it('stores the matrix as an int32 list column that readParquet also reads', async () => {
    const path = file('walks-ids.parquet');
    const values = randomMatrix(3, 4);
    const ids = new Int32Array([7, 8, 9]);
    await writeIntMatrix(path, names, { values, rows: 3, width: 4, ids });
    const table = await readParquet(path);
    expect(columnData(table, 'walk', 'int32')).toEqual(ids);
    const lists = columnData(table, 'tokens', 'list<int32>');
    expect(lists.offsets).toEqual(new Int32Array([0, 4, 8, 12]));
    expect(lists.values).toEqual(values);
  });

  it('reads a list column written as generic lists, and refuses ragged rows', async () => {
    const uniform = file('uniform-lists.parquet');
    // Null-masked rows force the generic (variable-length) list encoding.
    const lists = { offsets: new Int32Array([0, 2, 4]), values: new Int32Array([1, 2, 3, 4]) };
    await writeParquet(uniform, [
      { name: 'walk', type: 'int32', data: new Int32Array([0, 1]) },
      { name: 'tokens', type: 'list<int32>', data: lists, valid: new Uint8Array([1, 1]) },
    ]);
    expect((await readIntMatrix(uniform, names)).values).toEqual(lists.values);

    const ragged = file('ragged-lists.parquet');
    await writeParquet(ragged, [
      { name: 'walk', type: 'int32', data: new Int32Array([0, 1]) },
      { name: 'tokens', type: 'list<int32>', data: { offsets: new Int32Array([0, 1, 3]), values: new Int32Array(3) } },
    ]);
    await expect(readIntMatrix(ragged, names)).rejects.toThrow(/differ in length/);
  });

  it('round-trips an empty matrix and refuses a wrong value count', async () => {
    const path = file('walks-empty.parquet');
    await writeIntMatrix(path, names, { values: new Int32Array(0), rows: 0, width: 16 });
    const matrix = await readIntMatrix(path, names);
    expect(matrix.rows).toBe(0);
    expect(matrix.values.length).toBe(0);
    await expect(writeIntMatrix(path, names, { values: new Int32Array(5), rows: 2, width: 3 })).rejects.toThrow(
      /needs 6 values, got 5/,
    );
  });

  it('writes byte-identical files for identical input', async () => {
    const values = randomMatrix(5000, 32);
    const a = file('same-a.parquet');
    const b = file('same-b.parquet');
    await writeIntMatrix(a, names, { values, rows: 5000, width: 32 }, { rowGroupSize: 1000 });
    await writeIntMatrix(b, names, { values, rows: 5000, width: 32 }, { rowGroupSize: 1000 });
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
  });
});

describe('openParquetWriter', () => {
  const schema = [
    { name: 'row', type: 'int32' },
    { name: 'score', type: 'float64' },
    { name: 'vertex', type: 'int32' },
  ] as const;

  function batch(start: number, rows: number): Column[] {
    return [
      { name: 'row', type: 'int32', data: Int32Array.from({ length: rows }, (_, i) => start + i) },
      { name: 'score', type: 'float64', data: Float64Array.from({ length: rows }, (_, i) => (start + i) / 7) },
      {
        name: 'vertex',
        type: 'int32',
        data: new Int32Array(rows),
        valid: Uint8Array.from({ length: rows }, (_, i) => (start + i) % 3),
      },
    ];
  }

  it('appends batches in order into one file and cleans up its spill directory', async () => {
    const path = file('streamed.parquet');
    const writer = await openParquetWriter(path, schema, { rowGroupSize: 250 });
    for (let start = 0; start < 2000; start += 400) await writer.writeRowGroup(batch(start, 400));
    await writer.writeRowGroup(batch(2000, 0));
    await writer.close();

    const table = await readParquet(path);
    expect(table.numRows).toBe(2000);
    expect(columnData(table, 'row', 'int32')).toEqual(Int32Array.from({ length: 2000 }, (_, i) => i));
    expect(columnData(table, 'score', 'float64')[1999]).toBe(1999 / 7);
    expect(getColumn(table, 'vertex', 'int32').valid).toEqual(Uint8Array.from({ length: 2000 }, (_, i) => (i % 3 ? 1 : 0)));
    expect(await readdir(dir)).not.toContainEqual(expect.stringContaining('streamed.parquet.parts-'));
  });

  it('streams list columns whose row lengths vary between batches', async () => {
    const path = file('streamed-lists.parquet');
    const writer = await openParquetWriter(path, [{ name: 'l', type: 'list<int32>' }]);
    const lists = [
      { offsets: new Int32Array([0, 2, 4]), values: new Int32Array([1, 2, 3, 4]) },
      { offsets: new Int32Array([0, 3]), values: new Int32Array([5, 6, 7]) },
      { offsets: new Int32Array([0, 0, 1]), values: new Int32Array([8]) },
    ];
    for (const data of lists) await writer.writeRowGroup([{ name: 'l', type: 'list<int32>', data }]);
    await writer.close();
    expect(columnData(await readParquet(path), 'l', 'list<int32>')).toEqual({
      offsets: new Int32Array([0, 2, 4, 7, 7, 8]),
      values: new Int32Array([1, 2, 3, 4, 5, 6, 7, 8]),
    });
  });

  it('writes an empty file with the schema when no batch came', async () => {
    const path = file('streamed-empty.parquet');
    const writer = await openParquetWriter(path, schema);
    await writer.close();
    const table = await readParquet(path);
    expect(table.numRows).toBe(0);
    expect(table.columns.map((c) => c.name)).toEqual(['row', 'score', 'vertex']);
  });

  it('refuses a batch that does not match the schema, and use after close', async () => {
    const path = file('streamed-bad.parquet');
    const writer = await openParquetWriter(path, schema);
    await expect(writer.writeRowGroup(batch(0, 3).slice(1))).rejects.toThrow(/do not match the schema/);
    await writer.abort();
    await expect(writer.writeRowGroup(batch(0, 3))).rejects.toThrow(/already closed/);
    await expect(open(path)).rejects.toThrow(/ENOENT/);
  });
});
