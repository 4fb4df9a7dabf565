/**
 * Types for `d3-node` 4.x, which ships none. Only the members the figure modules use are declared.
 * The d3 instance is typed by `@types/d3` (a type-only import; at run time it is the `d3` that
 * d3-node depends on).
 */
declare module 'd3-node' {
  import type * as d3 from 'd3';

  /** Constructor options; `container` is an HTML string for the jsdom document. */
  export interface D3NodeOptions {
    d3Module?: typeof d3;
    selector?: string;
    container?: string;
    styles?: string;
  }

  /** A jsdom document with a d3 selection on its body. */
  export class D3Node {
    constructor(options?: D3NodeOptions);
    /** The d3 module the instance was created with. */
    readonly d3: typeof d3;
    /** jsdom window (has `XMLSerializer` and `DOMParser`). */
    readonly window: D3NodeWindow;
    /** Appends an `<svg xmlns=…>` to the selection, with width/height when both are given. */
    createSVG(width?: number, height?: number, attrs?: Record<string, string | number>): d3.Selection<d3.BaseType, unknown, null, undefined>;
    /** outerHTML of the first svg (HTML serialisation). */
    svgString(): string;
  }

  /** The parts of the jsdom window used here. */
  export interface D3NodeWindow {
    XMLSerializer: new () => { serializeToString(node: unknown): string };
    DOMParser: new () => { parseFromString(text: string, type: string): D3NodeXmlDocument };
  }

  /** Minimal view of a parsed XML document / element (enough for tests to query). */
  export interface D3NodeXmlDocument {
    readonly documentElement: D3NodeElement;
    querySelectorAll(selector: string): ArrayLike<D3NodeElement>;
    querySelector(selector: string): D3NodeElement | null;
    getElementsByTagName(name: string): ArrayLike<D3NodeElement>;
  }

  export interface D3NodeElement extends D3NodeXmlDocument {
    readonly tagName: string;
    readonly textContent: string | null;
    getAttribute(name: string): string | null;
  }
}
