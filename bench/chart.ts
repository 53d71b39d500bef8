// A small line chart as SVG text, no dependencies: panels side by side sharing a logarithmic x axis (one
// tick per measured scale), each with a linear y axis from 0, a legend and the value at every point.
import { fmt } from "./stats.ts";

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

export interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
}

export interface Chart {
  readonly title: string;
  readonly xLabel: string;
  /** The x values to mark, e.g. [10, 100, 1000]; the axis spans the first to the last. */
  readonly xTicks: readonly number[];
  readonly panels: readonly Panel[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];
const PLOT = { width: 330, height: 260 };
const MARGIN = { left: 70, right: 24, top: 56, bottom: 56 };
const PANEL_WIDTH = MARGIN.left + PLOT.width + MARGIN.right;
const HEADER = 34;

const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A round step (1, 2 or 5 × 10^k) giving about five ticks up to `max`. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  return step * power;
}

/**
 * Where series `i`'s value at `px` is written: above its point when its line is the highest there, below
 * (but inside the plot) otherwise, and the highest label kept clear of the others, so labels part.
 */
function labelY(panel: Panel, i: number, px: number, y: (value: number) => number): number {
  const bottom = MARGIN.top + PLOT.height - 4;
  const here = panel.series
    .map((series, j) => ({ j, value: series.points.find(([x]) => x === px)?.[1] }))
    .filter((p): p is { j: number; value: number } => p.value !== undefined)
    .sort((a, b) => b.value - a.value || a.j - b.j);
  const below = (value: number) => Math.min(y(value) + 17, bottom);
  const [top, ...rest] = here;
  if (!top || top.j !== i) return below(here.find((p) => p.j === i)?.value ?? 0);
  return Math.min(y(top.value) - 8, ...rest.map((p) => below(p.value) - 13));
}

function panelSvg(panel: Panel, chart: Chart, offsetX: number): string {
  const [first = 1, last = 10] = [chart.xTicks[0], chart.xTicks.at(-1)];
  const logSpan = Math.log10(last) - Math.log10(first) || 1;
  const x = (value: number) => MARGIN.left + ((Math.log10(value) - Math.log10(first)) / logSpan) * PLOT.width;
  const ys = panel.series.flatMap((s) => s.points.map(([, y]) => y));
  const step = niceStep(Math.max(0, ...ys));
  const top = Math.max(step, Math.ceil(Math.max(0, ...ys) / step) * step);
  const y = (value: number) => MARGIN.top + PLOT.height - (value / top) * PLOT.height;
  const bottom = MARGIN.top + PLOT.height;
  const parts: string[] = [
    `<text x="${MARGIN.left + PLOT.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${xmlText(panel.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#999"/>`,
  ];
  for (let value = 0; value <= top + step / 2; value += step) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT.width}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(value) + 4}" text-anchor="end" font-size="12">${fmt(value)}</text>`,
    );
  }
  for (const tick of chart.xTicks)
    parts.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${MARGIN.top}" y2="${bottom}" stroke="#e5e5e5"/>`,
      `<text x="${x(tick)}" y="${bottom + 18}" text-anchor="middle" font-size="12">${tick.toLocaleString("en")}</text>`,
    );
  parts.push(
    `<text x="${MARGIN.left + PLOT.width / 2}" y="${bottom + 42}" text-anchor="middle" font-size="13">${xmlText(chart.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" font-size="13">${xmlText(panel.yLabel)}</text>`,
  );
  panel.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length];
    const path = series.points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    series.points.forEach(([px, py], k) => {
      const anchor = k === 0 ? "start" : k === series.points.length - 1 ? "end" : "middle";
      parts.push(
        `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3.5" fill="${color}"/>`,
        `<text x="${x(px).toFixed(1)}" y="${labelY(panel, i, px, y).toFixed(1)}" text-anchor="${anchor}" font-size="11" fill="${color}" stroke="white" stroke-width="3" paint-order="stroke">${fmt(py)}</text>`,
      );
    });
    // The legend sits above the plot, two entries a row, so it never covers a line.
    const legendX = MARGIN.left + (i % 2) * (PLOT.width / 2);
    const legendY = 38 + Math.floor(i / 2) * 16;
    parts.push(
      `<line x1="${legendX}" x2="${legendX + 18}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${legendX + 22}" y="${legendY + 4}" font-size="12">${xmlText(series.name)}</text>`,
    );
  });
  return `<g transform="translate(${offsetX} ${HEADER})">${parts.join("")}</g>`;
}

export function lineChart(chart: Chart): string {
  const width = PANEL_WIDTH * chart.panels.length;
  const height = HEADER + MARGIN.top + PLOT.height + MARGIN.bottom;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    // The accessible name of the picture (screen readers, and Biome's a11y rule).
    `<title>${xmlText(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">${xmlText(chart.title)}</text>`,
    ...chart.panels.map((panel, i) => panelSvg(panel, chart, i * PANEL_WIDTH)),
    "</svg>",
    "",
  ].join("\n");
}
