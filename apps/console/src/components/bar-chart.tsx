import { useI18n } from '../i18n';

export interface Bar {
  key: string;
  label: string;
  value: number;
}

const ROW = 28;
const LABEL_WIDTH = 190;
const WIDTH = 640;

/**
 * Horizontal bars in plain SVG, each labelled with its count. Its figures are also in a table beside it: the chart
 * is an image for the eye, named for screen readers by its title.
 */
export function BarChart({ title, bars }: { title: string; bars: Bar[] }) {
  const { number } = useI18n();
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const scale = (WIDTH - LABEL_WIDTH - 60) / max;
  const height = bars.length * ROW + 8;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      role="img"
      aria-labelledby="chart-title"
      preserveAspectRatio="xMinYMin meet"
    >
      <title id="chart-title">{title}</title>
      {bars.map((bar, index) => {
        const y = index * ROW + 4;
        return (
          <g key={bar.key} className={`bar bar-${bar.key}`}>
            <text x={LABEL_WIDTH - 8} y={y + ROW / 2} textAnchor="end" dominantBaseline="middle">
              {bar.label}
            </text>
            <rect
              x={LABEL_WIDTH}
              y={y + 4}
              height={ROW - 8}
              width={Math.max(bar.value * scale, bar.value ? 2 : 0)}
            />
            <text x={LABEL_WIDTH + bar.value * scale + 6} y={y + ROW / 2} dominantBaseline="middle">
              {number(bar.value)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
