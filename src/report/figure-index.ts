/**
 * `figures.json`, the figures artifact's index: what the report reads to inline the figures in
 * order with their titles and captions.
 */
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
