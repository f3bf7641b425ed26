/**
 * The PNG chart: one panel per figure that has a ratio to direct, one bar per
 * configuration, a line at 1× (direct). Bars longer than the panel's scale are
 * cut and marked ">"; the number printed beside each bar is the real median.
 */
import type { ConfigResults } from "../../results.ts";
import { metrics } from "../metrics.ts";
import type { Summary } from "../summary.ts";
import { Canvas, type Rgb } from "./canvas.ts";

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [200, 200, 200];
const FWD: Rgb = [40, 110, 200];
const LEGACY: Rgb = [220, 110, 30];
const OTHER: Rgb = [140, 140, 140];
const DIRECT: Rgb = [200, 30, 30];

const SCALE = 2;
const CHAR = Canvas.advance(SCALE);
const ROW = 22;
const LABEL_CHARS = 36;
const BAR_WIDTH = 380;
const VALUE_CHARS = 8;
const PANEL_WIDTH = LABEL_CHARS * CHAR + BAR_WIDTH + VALUE_CHARS * CHAR + 30;
const MARGIN = 20;
/** The longest bar stands for this many times direct; longer ones are cut. */
const MAX_SCALE = 4;

function colorOf(key: string): Rgb {
  if (key.startsWith("legacy")) return LEGACY;
  if (/^(tcp-forwarding|user-pair|multi-pair)/.test(key)) return FWD;
  return OTHER;
}

export function drawChart(
  configs: readonly ConfigResults[],
  summary: Summary,
  title: string,
): Buffer {
  const charted = metrics.filter((m) => m.chart);
  const rows = configs.filter((c) => c.key !== "direct" && !c.skipped);
  const columns = 2;
  const panelHeight = 40 + rows.length * ROW + 16;
  const panelRows = Math.ceil(charted.length / columns);
  const width = MARGIN * 2 + columns * PANEL_WIDTH;
  const height = 90 + panelRows * panelHeight + MARGIN;
  const canvas = new Canvas(width, height, WHITE);
  canvas.text(MARGIN, MARGIN, title, INK, SCALE);
  canvas.text(
    MARGIN,
    MARGIN + 26,
    "MEDIAN RATIO TO DIRECT IN THE SAME REPETITION (RED LINE: DIRECT = 1). BLUE: FWD, ORANGE: LEGACY, GREY: OTHERS",
    INK,
    SCALE,
  );

  charted.forEach((m, index) => {
    const left = MARGIN + (index % columns) * PANEL_WIDTH;
    const top = 80 + Math.floor(index / columns) * panelHeight;
    const better = m.better === "higher" ? "HIGHER IS BETTER" : "LOWER IS BETTER";
    canvas.text(left, top, `${m.chart}: X DIRECT, ${better}`, INK, SCALE);
    const ratios = rows.map((c) => summary[c.key]?.[m.key]?.ratio?.median);
    const max = Math.min(MAX_SCALE, Math.max(1.25, ...ratios.map((r) => r ?? 0)));
    const barLeft = left + LABEL_CHARS * CHAR;
    const barsTop = top + 26;
    // Direct is 1×: the line every bar is read against, dashed so values stay legible.
    const one = barLeft + BAR_WIDTH / max;
    for (let y = barsTop - 4; y < barsTop + rows.length * ROW; y += 6)
      canvas.rect(one, y, 2, 3, DIRECT);
    canvas.rect(barLeft, barsTop - 4, 1, rows.length * ROW + 4, GRID);
    rows.forEach((config, i) => {
      const y = barsTop + i * ROW;
      canvas.text(left, y + 3, config.label.slice(0, LABEL_CHARS - 1), INK, SCALE);
      const ratio = ratios[i];
      if (ratio === undefined) {
        canvas.text(barLeft + 6, y + 3, "N/A", OTHER, SCALE);
        return;
      }
      const cut = ratio > max;
      const length = (Math.min(ratio, max) / max) * BAR_WIDTH;
      canvas.rect(barLeft, y + 2, length, ROW - 6, colorOf(config.key));
      const label = `${cut ? ">" : ""}${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
      canvas.text(barLeft + length + 6, y + 3, label, INK, SCALE);
    });
  });
  return canvas.toPng();
}
