// Dashboard charts: each <canvas data-iw-chart='{...}'> is drawn with Chart.js (built from npm into
// static/dist). The same numbers are in the table below each chart; clicking a bar or segment opens
// the records behind it, as the table's links do.
import '../dist/chart.umd.min.js';

const { Chart } = globalThis;
// NHS identity colours, distinguishable for stacked segments.
const PALETTE = ['#005eb8', '#330072', '#007f3b', '#ed8b00', '#7c2855', '#00a499', '#ae2573', '#425563',
  '#ffb81c', '#41b6e6', '#78be20', '#d5281b'];

function draw(canvas) {
  const spec = JSON.parse(canvas.dataset.iwChart);
  const many = spec.datasets.length > 1;
  const datasets = spec.datasets.map((set, i) => ({
    label: set.label,
    data: set.data,
    backgroundColor: many ? PALETTE[i % PALETTE.length] : PALETTE[0],
    borderColor: many ? PALETTE[i % PALETTE.length] : PALETTE[0],
  }));
  const chart = new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: {
      indexAxis: spec.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: {
        x: { stacked: spec.stacked, beginAtZero: true },
        y: { stacked: spec.stacked, beginAtZero: true },
      },
      plugins: {
        legend: { display: many, position: 'bottom' },
        tooltip: {
          callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.formattedValue} ${spec.unit}` },
        },
      },
      onClick: (_event, elements) => {
        if (!elements.length) return;
        const { datasetIndex, index } = elements[0];
        const url = spec.datasets[datasetIndex].urls[index];
        if (url) window.location.assign(url);
      },
      onHover: (event, elements) => {
        event.native.target.classList.toggle('iw-chart--pointer', elements.length > 0);
      },
    },
  });
  canvas.dataset.iwChartReady = 'true';
  return chart;
}

for (const canvas of document.querySelectorAll('canvas[data-iw-chart]')) {
  draw(canvas);
}
