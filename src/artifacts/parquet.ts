/**
 * Parquet I/O for the project's tabular artifacts, over nodejs-polars (the Rust Polars
 * engine). docs/parquet.md has the measurements behind that choice, the walk-corpus layout
 * and how Python users read the files.
 *
 * Columns travel as typed arrays, never as arrays of row objects: a 200,000 x 256 walk corpus
 * is one Int32Array on each side. Nulls are real Parquet nulls, described by an optional
 * validity mask. Writes go straight to `path`; atomic publication is the caller's business.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import pl, { type DataType } from 'nodejs-polars';
import { InputError, ResourceError } from '../errors';
import { linkOrCopy } from './link-or-copy';

/** Column types this module writes and reads. */
export type ColumnType = 'int32' | 'int64' | 'float64' | 'bool' | 'string' | 'list<int32>';

/** Lists of int32 in Arrow layout: row i is `values[offsets[i] .. offsets[i + 1])`. */
export interface Int32Lists {
  /** Row boundaries, length rows + 1, non-decreasing. */
  offsets: Int32Array;
  values: Int32Array;
}

/** The in-memory data of each column type. */
export interface ColumnDataMap {
  int32: Int32Array;
  int64: BigInt64Array;
  float64: Float64Array;
  /** 0 = false, anything else = true (reads give 0 or 1). */
  bool: Uint8Array;
  string: readonly string[];
  'list<int32>': Int32Lists;
}

/** One column of type `T`. */
export interface ColumnOf<T extends ColumnType> {
  name: string;
  type: T;
  data: ColumnDataMap[T];
  /**
   * Validity per row: 1 = value present, 0 = null. Absent means no nulls (reads omit it
   * when a column has none). Data at null rows is ignored on write and is 0, '' or an empty
   * list on read.
   */
  valid?: Uint8Array;
}

/** A column of any supported type, discriminated by `type`. */
export type Column = { [T in ColumnType]: ColumnOf<T> }[ColumnType];

/** A column's name and type, without data (the schema of a streaming writer). */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

/** Page compression codec. `lz4` is written as Parquet's LZ4_RAW. */
export type Compression = 'uncompressed' | 'snappy' | 'lz4' | 'zstd';

/** Options of every write. */
export interface WriteOptions {
  /** Rows per row group; defaults to about 32 MB of raw column data per group. */
  rowGroupSize?: number;
  /** Defaults to `zstd`: a third smaller than `snappy` on the walk corpus, and fast enough (docs/parquet.md). */
  compression?: Compression;
}

/** Options of `readParquet`. */
export interface ReadOptions {
  /** Columns to read, in this order; all columns in file order when absent. */
  columns?: readonly string[];
}

/** A table read from a file. */
export interface Table {
  numRows: number;
  columns: Column[];
}

/** Column names of a walk-corpus-like file: a row id and a fixed-length int32 list per row. */
export interface IntMatrixColumns {
  idColumn: string;
  listColumn: string;
}

/** A row-major rows x width int32 matrix. */
export interface IntMatrix {
  /** rows * width values; row i is `values[i * width .. (i + 1) * width)`. */
  values: Int32Array;
  rows: number;
  width: number;
}

/** What `readIntMatrix` returns: the matrix and its row ids. */
export interface IdentifiedIntMatrix extends IntMatrix {
  ids: Int32Array;
}

/** An open streaming writer; see `openParquetWriter`. */
export interface ParquetWriter {
  /** Appends a batch of rows; its columns must match the schema's names, types and order. */
  writeRowGroup(columns: readonly Column[]): Promise<void>;
  /** What a writer resumed from here needs: the batches written so far (see {@link SpillState}). */
  spillState(): SpillState;
  /** Writes the file and removes the spill directory. The writer is unusable afterwards. */
  close(): Promise<void>;
  /** Removes the spill directory without writing the file. */
  abort(): Promise<void>;
}

type Series = pl.Series;
type Frame = pl.DataFrame;

const DEFAULT_COMPRESSION: Compression = 'zstd';
const TARGET_ROW_GROUP_BYTES = 32 * 1024 * 1024;
const MAX_DEFAULT_ROW_GROUP_ROWS = 1 << 20;
const SPILL_CODEC: Compression = 'lz4';

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Writes `columns` (all of one length) to a Parquet file at `path`.
 * A `list<int32>` column whose rows all have one length is stored as a fixed-size list,
 * which reads back several times faster than a variable-length one.
 */
export async function writeParquet(
  path: string,
  columns: readonly Column[],
  options: WriteOptions = {},
): Promise<void> {
  const rows = checkColumns(path, columns);
  const frame = pl.DataFrame(columns.map(toSeries));
  await sinkFrame(path, frame, resolveOptions(options, rows === 0 ? 0 : rowBytes(columns)));
}

/**
 * Writes a walk-corpus-like matrix: an int32 id column (`ids`, or 0..rows-1) and a
 * fixed-length `list<int32>` column holding row i of `matrix` per row, without building
 * any per-row JavaScript array.
 */
export async function writeIntMatrix(
  path: string,
  names: IntMatrixColumns,
  matrix: IntMatrix & { ids?: Int32Array },
  options: WriteOptions = {},
): Promise<void> {
  checkMatrix(path, matrix);
  const ids = matrix.ids ?? iota(matrix.rows);
  const frame = pl.DataFrame([
    pl.Series(names.idColumn, ids, pl.Int32),
    fixedListSeries(names.listColumn, matrix.values, matrix.rows, matrix.width),
  ]);
  await sinkFrame(path, frame, resolveOptions(options, 4 + 4 * matrix.width));
}

/**
 * Opens a writer for tables too large to hold in memory at once. Each `writeRowGroup`
 * batch is spilled to a compressed part file in a sibling temporary directory and
 * `close` streams the parts into one file, so memory stays bounded by about one batch plus
 * the engine's buffers. (Polars' Node binding has no append-a-row-group writer.)
 */
export async function openParquetWriter(
  path: string,
  schema: readonly ColumnSpec[],
  options: WriteOptions = {},
  resume?: SpillState,
): Promise<ParquetWriter> {
  checkSchema(path, schema);
  const spillDir = await mkdtemp(join(dirname(path), `.${basename(path)}.parts-`));
  const writer = new SpillingWriter(path, schema, options, spillDir);
  if (resume !== undefined) await writer.adopt(resume);
  return writer;
}

/**
 * The batches a spilling writer holds: its part files in order and the widest row seen (which
 * sets the row-group size). A writer opened with it continues as if it had written them, and
 * closes to the same bytes.
 */
export interface SpillState {
  parts: string[];
  bytesPerRow: number;
}

class SpillingWriter implements ParquetWriter {
  private parts = 0;
  private bytesPerRow = 0;
  private state: 'open' | 'closed' = 'open';

  constructor(
    private readonly path: string,
    private readonly schema: readonly ColumnSpec[],
    private readonly options: WriteOptions,
    private readonly spillDir: string,
  ) {}

  /** Takes over the batches of `state` (linked, or copied across filesystems). */
  async adopt(state: SpillState): Promise<void> {
    for (const part of state.parts) await linkOrCopy(part, this.partPath(this.parts++));
    this.bytesPerRow = state.bytesPerRow;
  }

  spillState(): SpillState {
    return { parts: Array.from({ length: this.parts }, (_, i) => this.partPath(i)), bytesPerRow: this.bytesPerRow };
  }

  private partPath(index: number): string {
    return join(this.spillDir, `part-${String(index).padStart(9, '0')}.parquet`);
  }

  async writeRowGroup(columns: readonly Column[]): Promise<void> {
    this.assertOpen();
    checkAgainstSchema(this.path, this.schema, columns);
    const rows = checkColumns(this.path, columns);
    if (rows === 0) return;
    this.bytesPerRow = Math.max(this.bytesPerRow, rowBytes(columns));
    await sinkFrame(this.partPath(this.parts), pl.DataFrame(columns.map(toSpillSeries)), {
      compression: SPILL_CODEC,
      rowGroupSize: this.options.rowGroupSize ?? defaultRowGroupSize(this.bytesPerRow),
    });
    this.parts++;
  }

  async close(): Promise<void> {
    this.assertOpen();
    this.state = 'closed';
    try {
      if (this.parts === 0) {
        await writeParquet(this.path, this.schema.map(emptyColumn), this.options);
      } else {
        const scan = pl.scanParquet(join(this.spillDir, '*.parquet'));
        await sinkLazy(this.path, scan, resolveOptions(this.options, this.bytesPerRow));
      }
    } finally {
      await rm(this.spillDir, { recursive: true, force: true });
    }
  }

  async abort(): Promise<void> {
    this.state = 'closed';
    await rm(this.spillDir, { recursive: true, force: true });
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new Error(`Parquet writer for ${this.path} is already closed`);
  }
}

async function sinkFrame(path: string, frame: Frame, options: Required<WriteOptions>): Promise<void> {
  await sinkLazy(path, frame.lazy(), options);
}

// The streaming sink, unlike DataFrame.writeParquet, honours rowGroupSize and encodes row
// groups in parallel; its output is byte-for-byte deterministic (tested).
async function sinkLazy(path: string, lazy: pl.LazyDataFrame, options: Required<WriteOptions>): Promise<void> {
  try {
    await lazy
      .sinkParquet(path, {
        compression: options.compression,
        rowGroupSize: options.rowGroupSize,
        maintainOrder: true,
      })
      .collect();
  } catch (error) {
    throw writeError(path, error);
  }
}

function resolveOptions(options: WriteOptions, bytesPerRow: number): Required<WriteOptions> {
  return {
    compression: options.compression ?? DEFAULT_COMPRESSION,
    rowGroupSize: options.rowGroupSize ?? defaultRowGroupSize(bytesPerRow),
  };
}

function defaultRowGroupSize(bytesPerRow: number): number {
  const rows = Math.floor(TARGET_ROW_GROUP_BYTES / Math.max(1, bytesPerRow));
  return Math.min(MAX_DEFAULT_ROW_GROUP_ROWS, Math.max(1024, rows));
}

/** Average raw bytes per row, for sizing row groups (strings count as 16 bytes). */
function rowBytes(columns: readonly Column[]): number {
  const rows = columnLength(columns[0]);
  let bytes = 0;
  for (const column of columns) {
    if (column.type === 'list<int32>') bytes += 4 + (4 * column.data.values.length) / Math.max(1, rows);
    else if (column.type === 'string') bytes += 16;
    else bytes += column.data.BYTES_PER_ELEMENT;
  }
  return bytes;
}

function writeError(path: string, error: unknown): Error {
  const message = `cannot write Parquet file ${path}: ${errorMessage(error)}`;
  // Polars reports OS errors as text, so disk-full and out-of-memory are matched on it.
  if (/os error (28|12)\b|No space left|out of memory/i.test(errorMessage(error))) {
    return new ResourceError(message, { cause: error });
  }
  return new Error(message, { cause: error });
}

// ---------------------------------------------------------------------------------------------
// Column -> Polars series

function toSeries(column: Column): Series {
  const series = plainSeries(column);
  return column.valid === undefined ? series : withNulls(series, column.valid);
}

// Every spill part must share one schema, so a batch whose lists happen to be of one length
// must not become a fixed-size list column.
function toSpillSeries(column: Column): Series {
  const series = toSeries(column);
  return series.dtype.variant === 'FixedSizeList' ? series.cast(pl.List(pl.Int32)) : series;
}

function plainSeries(column: Column): Series {
  switch (column.type) {
    case 'int32':
      return pl.Series(column.name, column.data, pl.Int32);
    case 'int64':
      return pl.Series(column.name, column.data, pl.Int64);
    case 'float64':
      return pl.Series(column.name, column.data, pl.Float64);
    case 'bool':
      return boolSeries(column.name, column.data);
    case 'string':
      return pl.Series(column.name, [...column.data], pl.Utf8);
    case 'list<int32>':
      return listSeries(column.name, column.data);
  }
}

function withNulls(series: Series, valid: Uint8Array): Series {
  const name = series.name;
  const maskName = `${name}.valid`;
  const mask = boolSeries(maskName, valid);
  return pl
    .DataFrame([series, mask])
    .select(pl.when(pl.col(maskName)).then(pl.col(name)).otherwise(pl.lit(null)).alias(name))
    .getColumn(name);
}

function boolSeries(name: string, data: Uint8Array): Series {
  // The typings reject typed arrays for UInt8, which the binding accepts (and copies) as is.
  return pl.Series(name, data as unknown as number[], pl.UInt8).cast(pl.Bool);
}

function listSeries(name: string, lists: Int32Lists): Series {
  const rows = lists.offsets.length - 1;
  if (rows === 0) return emptyListSeries(name);
  const width = uniformWidth(lists.offsets);
  if (width !== null) {
    const start = lists.offsets[0];
    return fixedListSeries(name, lists.values.subarray(start, start + rows * width), rows, width);
  }
  // Ragged lists are rare and small here; per-row arrays are acceptable for them.
  const perRow = Array.from({ length: rows }, (_, i) =>
    Array.from(lists.values.subarray(lists.offsets[i], lists.offsets[i + 1])),
  );
  return pl.Series(name, perRow, pl.List(pl.Int32));
}

function fixedListSeries(name: string, values: Int32Array, rows: number, width: number): Series {
  if (rows === 0) return emptyListSeries(name);
  if (width === 0) return pl.Series(name, Array.from({ length: rows }, () => []), pl.List(pl.Int32));
  return pl
    .DataFrame([pl.Series(name, values, pl.Int32)])
    .select(pl.col(name).reshape([rows, width]))
    .getColumn(name);
}

// nodejs-polars cannot build an empty List series directly.
function emptyListSeries(name: string): Series {
  return pl.Series(name, [[0]], pl.List(pl.Int32)).slice(0, 0);
}

/** The common row length when every row has it, else null. */
function uniformWidth(offsets: Int32Array): number | null {
  const rows = offsets.length - 1;
  if (rows < 1) return null;
  const width = offsets[1] - offsets[0];
  for (let i = 1; i < rows; i++) if (offsets[i + 1] - offsets[i] !== width) return null;
  return width;
}

function emptyColumn(spec: ColumnSpec): Column {
  switch (spec.type) {
    case 'int32':
      return { name: spec.name, type: spec.type, data: new Int32Array(0) };
    case 'int64':
      return { name: spec.name, type: spec.type, data: new BigInt64Array(0) };
    case 'float64':
      return { name: spec.name, type: spec.type, data: new Float64Array(0) };
    case 'bool':
      return { name: spec.name, type: spec.type, data: new Uint8Array(0) };
    case 'string':
      return { name: spec.name, type: spec.type, data: [] };
    case 'list<int32>':
      return { name: spec.name, type: spec.type, data: { offsets: new Int32Array(1), values: new Int32Array(0) } };
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Reads a Parquet file into typed arrays, all columns or `options.columns` in that order.
 * Throws an InputError naming the path when the file is missing or unreadable, a requested
 * column is absent, or a column has a type outside `ColumnType`. The decode itself runs
 * synchronously (about 0.5 s for the anchor corpus); the async signature leaves room to change that.
 */
export async function readParquet(path: string, options: ReadOptions = {}): Promise<Table> {
  const frame = readFrame(path, options.columns);
  const columns = frame.columns.map((name) => fromSeries(path, frame.getColumn(name)));
  return { numRows: frame.height, columns };
}

/** The column names of a Parquet file, in file order, read from its footer only. */
export function readParquetColumnNames(path: string): string[] {
  try {
    return pl.scanParquet(path).columns;
  } catch (error) {
    throw new InputError(`cannot read the schema of Parquet file ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Reads a file written by `writeIntMatrix` (or any file with an int32 id column and an
 * int32 list column whose rows all have one length) into one flat Int32Array.
 */
export async function readIntMatrix(path: string, names: IntMatrixColumns): Promise<IdentifiedIntMatrix> {
  const frame = readFrame(path, [names.idColumn, names.listColumn]);
  const idColumn = fromSeries(path, frame.getColumn(names.idColumn));
  if (idColumn.type !== 'int32' || idColumn.valid !== undefined) {
    throw new InputError(`${path}: column "${names.idColumn}" must be int32 without nulls`);
  }
  const matrix = matrixFromSeries(path, frame.getColumn(names.listColumn));
  return { ids: idColumn.data, ...matrix };
}

/**
 * The data of column `name` of `table`, checked to have type `type`.
 * Throws when the column is absent or has another type.
 */
export function columnData<T extends ColumnType>(table: Table, name: string, type: T): ColumnDataMap[T] {
  return getColumn(table, name, type).data;
}

/**
 * Column `name` of `table`, checked to have type `type` (use it to reach `valid`).
 * Throws when the column is absent or has another type.
 */
export function getColumn<T extends ColumnType>(table: Table, name: string, type: T): ColumnOf<T> {
  const column = table.columns.find((c) => c.name === name);
  if (column === undefined) throw new InputError(`table has no column "${name}"`);
  if (column.type !== type) throw new InputError(`column "${name}" is ${column.type}, not ${type}`);
  return column as ColumnOf<T>;
}

function readFrame(path: string, columns?: readonly string[]): Frame {
  try {
    return columns === undefined ? pl.readParquet(path) : pl.readParquet(path, { columns: [...columns] });
  } catch (error) {
    throw new InputError(`cannot read Parquet file ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

function fromSeries(path: string, series: Series): Column {
  const name = series.name;
  const valid = validity(series);
  const variant = series.dtype.variant;
  switch (variant) {
    case 'Int32':
      return { name, type: 'int32', data: typed(series) as Int32Array, ...valid };
    case 'Int64':
      return { name, type: 'int64', data: typed(series) as BigInt64Array, ...valid };
    case 'Float64':
      return { name, type: 'float64', data: typed(series) as Float64Array, ...valid };
    case 'Bool':
      return { name, type: 'bool', data: typed(series.cast(pl.UInt8)) as Uint8Array, ...valid };
    case 'String':
    case 'Utf8':
      return { name, type: 'string', data: strings(series), ...valid };
    case 'List':
    case 'FixedSizeList':
      checkListOfInt32(path, series);
      return { name, type: 'list<int32>', data: int32Lists(path, series), ...valid };
    default:
      throw new InputError(`${path}: column "${name}" has type ${String(series.dtype)}, which is not supported`);
  }
}

function validity(series: Series): { valid?: Uint8Array } {
  if (series.nullCount() === 0) return {};
  return { valid: series.isNotNull().cast(pl.UInt8).toTypedArray() as Uint8Array };
}

function typed(series: Series): ArrayLike<unknown> {
  return (series.nullCount() === 0 ? series : series.fillNull('zero')).toTypedArray();
}

function strings(series: Series): string[] {
  return (series.toArray() as (string | null)[]).map((value) => value ?? '');
}

function checkListOfInt32(path: string, series: Series): void {
  const inner = series.dtype.variant === 'FixedSizeList' ? fixedListWidthAndInner(series).inner : listInner(series);
  if (inner !== 'Int32') {
    throw new InputError(`${path}: column "${series.name}" has type ${String(series.dtype)}, which is not supported`);
  }
}

function int32Lists(path: string, series: Series): Int32Lists {
  const rows = series.length;
  if (series.dtype.variant === 'FixedSizeList' && series.nullCount() === 0) {
    const { width } = fixedListWidthAndInner(series);
    return { offsets: uniformOffsets(rows, width), values: flatValues(path, series, rows * width) };
  }
  const asList = series.dtype.variant === 'List' ? series : series.cast(pl.List(pl.Int32));
  const lengths = asList.list.lengths().fillNull('zero').toTypedArray() as Uint32Array;
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i < rows; i++) offsets[i + 1] = offsets[i] + lengths[i];
  return { offsets, values: nonEmptyValues(path, asList, offsets[rows]) };
}

function matrixFromSeries(path: string, series: Series): IntMatrix {
  if (series.dtype.variant !== 'List' && series.dtype.variant !== 'FixedSizeList') {
    throw new InputError(`${path}: column "${series.name}" is not a list of int32`);
  }
  checkListOfInt32(path, series);
  if (series.nullCount() !== 0) throw new InputError(`${path}: column "${series.name}" has null rows`);
  const { offsets, values } = int32Lists(path, series);
  const rows = series.length;
  const width = uniformWidth(offsets) ?? (rows === 0 ? 0 : -1);
  if (width < 0) throw new InputError(`${path}: rows of column "${series.name}" differ in length`);
  return { values, rows, width };
}

/** Flattens a list series whose element count is known, refusing null elements. */
function flatValues(path: string, series: Series, expected: number): Int32Array {
  const flat = series.explode();
  if (flat.length !== expected || flat.nullCount() !== 0) {
    throw new InputError(`${path}: column "${series.name}" has null list elements`);
  }
  return flat.toTypedArray() as Int32Array;
}

// explode() turns an empty or null list into one null, so those rows are dropped first.
function nonEmptyValues(path: string, series: Series, expected: number): Int32Array {
  if (expected === 0) return new Int32Array(0);
  const name = series.name;
  const nonEmpty = pl
    .DataFrame([series])
    .select(pl.col(name).filter(pl.col(name).lst.lengths().gt(0)))
    .getColumn(name);
  return flatValues(path, nonEmpty, expected);
}

function fixedListWidthAndInner(series: Series): { width: number; inner: string } {
  const [inner, width] = series.dtype.inner as unknown as [DataType, number];
  return { width, inner: inner.variant };
}

function listInner(series: Series): string {
  const [inner] = series.dtype.inner as unknown as [DataType];
  return inner.variant;
}

function uniformOffsets(rows: number, width: number): Int32Array {
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) offsets[i] = i * width;
  return offsets;
}

// ---------------------------------------------------------------------------------------------
// Validation and small helpers

/** Checks names and lengths; returns the common row count. */
function checkColumns(path: string, columns: readonly Column[]): number {
  if (columns.length === 0) throw new Error(`${path}: a Parquet file needs at least one column`);
  checkUniqueNames(path, columns);
  const rows = columnLength(columns[0]);
  for (const column of columns) {
    const length = columnLength(column);
    if (length !== rows) {
      throw new Error(`${path}: column "${column.name}" has ${length} rows, "${columns[0].name}" has ${rows}`);
    }
    if (column.valid !== undefined && column.valid.length !== rows) {
      throw new Error(`${path}: column "${column.name}" has ${column.valid.length} validity entries for ${rows} rows`);
    }
    if (column.type === 'list<int32>') checkOffsets(path, column.name, column.data);
  }
  return rows;
}

function checkSchema(path: string, schema: readonly ColumnSpec[]): void {
  if (schema.length === 0) throw new Error(`${path}: a Parquet file needs at least one column`);
  checkUniqueNames(path, schema);
}

function checkUniqueNames(path: string, columns: readonly { name: string }[]): void {
  const seen = new Set<string>();
  for (const { name } of columns) {
    if (seen.has(name)) throw new Error(`${path}: duplicate column "${name}"`);
    seen.add(name);
  }
}

function checkAgainstSchema(path: string, schema: readonly ColumnSpec[], columns: readonly Column[]): void {
  const expected = schema.map((c) => `${c.name}:${c.type}`).join(', ');
  const actual = columns.map((c) => `${c.name}:${c.type}`).join(', ');
  if (expected !== actual) throw new Error(`${path}: batch columns [${actual}] do not match the schema [${expected}]`);
}

function checkOffsets(path: string, name: string, lists: Int32Lists): void {
  const { offsets, values } = lists;
  if (offsets.length === 0) throw new Error(`${path}: column "${name}" needs rows + 1 offsets`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1]) throw new Error(`${path}: column "${name}" has decreasing offsets at ${i}`);
  }
  if (offsets[0] < 0 || offsets[offsets.length - 1] > values.length) {
    throw new Error(`${path}: column "${name}" has offsets outside its ${values.length} values`);
  }
}

function checkMatrix(path: string, matrix: IntMatrix & { ids?: Int32Array }): void {
  const { rows, width, values, ids } = matrix;
  if (!Number.isInteger(rows) || !Number.isInteger(width) || rows < 0 || width < 0) {
    throw new Error(`${path}: matrix shape ${rows} x ${width} is not a pair of non-negative integers`);
  }
  if (values.length !== rows * width) {
    throw new Error(`${path}: matrix of ${rows} x ${width} needs ${rows * width} values, got ${values.length}`);
  }
  if (ids !== undefined && ids.length !== rows) throw new Error(`${path}: ${ids.length} ids for ${rows} rows`);
}

function columnLength(column: Column): number {
  return column.type === 'list<int32>' ? column.data.offsets.length - 1 : column.data.length;
}

function iota(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
