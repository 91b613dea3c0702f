// A uPlot time-series chart in theme colours, with vertical markers (anomalies, applied
// optimizations). The canvas is decorative for screen readers: every chart carries an aria-label
// summary, and markers are also listed as text beside it.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesMarker } from '../../../shared/http/dashboard';

export interface ChartLine {
  label: string;
  values: ReadonlyArray<number | null>;
  /** A --vscode-charts-* colour name (blue, orange, red, green, purple, yellow). */
  colour: string;
  dashed?: boolean;
}

export interface ChartProps {
  title: string;
  /** Epoch ms per point. */
  at: readonly number[];
  lines: ChartLine[];
  markers?: readonly SeriesMarker[];
  format: (value: number) => string;
  height?: number;
  /** Points are categories (e.g. optimization cycles), not times: x is the index, labelled with these. */
  categories?: readonly string[];
  testId?: string;
}

const FALLBACK: Record<string, string> = {
  blue: '#3794ff',
  orange: '#d18616',
  red: '#f14c4c',
  green: '#89d185',
  purple: '#b180d7',
  yellow: '#cca700',
  foreground: '#cccccc',
  lines: 'rgba(128,128,128,0.35)',
};

export function themeColour(name: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(`--vscode-charts-${name}`).trim();
  return value || FALLBACK[name] || FALLBACK.foreground;
}

function markerColour(marker: SeriesMarker): string {
  if (marker.kind === 'optimization') return themeColour('green');
  if (marker.kind === 'rollback') return themeColour('purple');
  return marker.severity === 'error' ? themeColour('red') : themeColour('yellow');
}

function markersPlugin(markers: readonly SeriesMarker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        for (const marker of markers) {
          const x = Math.round(u.valToPos(marker.at / 1000, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = markerColour(marker);
          ctx.setLineDash(marker.kind === 'anomaly' ? [4 * devicePixelRatio, 3 * devicePixelRatio] : []);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export function Chart({ title, at, lines, markers = [], format, height = 160, categories, testId }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const foreground = themeColour('foreground');
    const grid = { stroke: themeColour('lines'), width: 1 };
    const categorical = categories !== undefined;
    const xs = categorical ? at.map((_, i) => i) : at.map((t) => t / 1000);
    const data: uPlot.AlignedData = [xs, ...lines.map((l) => l.values as (number | null)[])];
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      scales: { x: { time: !categorical } },
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      axes: [
        categorical
          ? { stroke: foreground, grid, ticks: grid, incrs: [1, 2, 5, 10, 20, 50], values: (_u, values) => values.map((v) => (Number.isInteger(v) ? (categories?.[v] ?? '') : '')) }
          : { stroke: foreground, grid, ticks: grid },
        { stroke: foreground, grid, ticks: grid, size: 78, values: (_u, values) => values.map((v) => (v === null ? '' : format(v))) },
      ],
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: themeColour(l.colour),
          width: 1.5,
          dash: l.dashed ? [6, 4] : undefined,
          spanGaps: false,
          points: { show: xs.length < 40 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
        })),
      ],
      plugins: markers.length > 0 ? [markersPlugin(markers)] : [],
    };
    const chart = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(240, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [at, lines, markers, format, height, categories]);

  const summary = lines
    .map((l) => {
      const last = [...l.values].reverse().find((v) => v !== null);
      return `${l.label}: latest ${last === undefined || last === null ? 'none' : format(last)}`;
    })
    .join('; ');
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div class="chart-canvas" ref={host} role="img" aria-label={`${title}. ${summary}`} />
    </figure>
  );
}
