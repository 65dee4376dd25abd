// The parts of ECharts the dashboards use, registered once. Imported only through useECharts (a
// dynamic import), so the chart library is a chunk of its own that pages without charts never load.
import { BarChart, LineChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, BarChart, GridComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

export { init };
