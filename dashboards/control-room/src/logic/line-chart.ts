/**
 * ECharts core with only the parts the console's line charts use (the point detail's trend and the
 * trends view): lines, grid, tooltip, limit lines, data-loss bands, zoom, canvas. Registered once
 * here, so both charts draw with the same parts and neither pulls in the whole library.
 */
import { LineChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  GridComponent,
  TooltipComponent,
  MarkLineComponent,
  MarkAreaComponent,
  DataZoomComponent,
  CanvasRenderer,
]);

export type LineChartInstance = echarts.ECharts;

/** A line chart in the console's dark theme, drawn into `el`. */
export function initLineChart(el: HTMLElement): LineChartInstance {
  return echarts.init(el, 'dark');
}
