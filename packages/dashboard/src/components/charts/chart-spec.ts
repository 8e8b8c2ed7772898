// What a time chart shows, independent of the library that draws it (so pages never import it).

export interface ChartSeries {
  label: string;
  /** One value per x; null leaves a gap (no data that minute). */
  values: (number | null)[];
  /** A CSS custom property of styles.css (`--accent`), so the chart follows the colour scheme. */
  colorVar: string;
  /** Dash pattern in px: series differ by line style as well as colour. Solid when absent. */
  dash?: number[];
}

export interface ChartSpec {
  /** Unix seconds, ascending. */
  x: number[];
  series: ChartSeries[];
  /** How a y value reads on the axis and in the legend (a count, a duration). */
  formatValue: (value: number) => string;
  /** The values are counts: the axis marks whole numbers only. */
  whole?: boolean;
}
