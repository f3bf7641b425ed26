/** An RGB pixel buffer with the two things the chart draws: rectangles and text. */
import { encodePng } from "./encode.ts";
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from "./font.ts";

export type Rgb = readonly [number, number, number];

export class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
    this.rect(0, 0, width, height, background);
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let row = y0; row < y1; row++) {
      for (let col = x0; col < x1; col++) this.pixels.set(color, (row * this.width + col) * 3);
    }
  }

  /** Draws `text` with its top-left corner at (x, y), each font pixel `scale` pixels wide. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): void {
    let left = x;
    for (const char of text) {
      glyph(char).forEach((row, gy) => {
        row.forEach((ink, gx) => {
          if (ink) this.rect(left + gx * scale, y + gy * scale, scale, scale, color);
        });
      });
      left += Canvas.advance(scale);
    }
  }

  /** Horizontal space one character takes (a glyph and one pixel of spacing). */
  static advance(scale = 2): number {
    return (GLYPH_WIDTH + 1) * scale;
  }

  static lineHeight(scale = 2): number {
    return (GLYPH_HEIGHT + 3) * scale;
  }

  toPng(): Buffer {
    return encodePng(this.width, this.height, this.pixels);
  }
}
