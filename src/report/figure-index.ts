/**
 * `figures.json`, the figures artifact's index: what the report reads to inline the figures in
 * order with their titles and captions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportFigure } from './report-types';

export const FIGURES_INDEX_FILE = 'figures.json';

/** One entry of figures.json; paths are relative to the artifact folder. */
export interface FigureIndexEntry {
  name: string;
  kind: string;
  title: string;
  caption: string;
  svg: string;
  png: string;
}

/** The figures of the figures artifact in `dir`, in report order, with their SVGs read. */
export function readFigures(dir: string): ReportFigure[] {
  const index = JSON.parse(readFileSync(join(dir, FIGURES_INDEX_FILE), 'utf8')) as FigureIndexEntry[];
  return index.map((entry) => ({ name: entry.name, title: entry.title, caption: entry.caption, svg: readFileSync(join(dir, entry.svg), 'utf8') }));
}
