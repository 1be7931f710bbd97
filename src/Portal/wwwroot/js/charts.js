// Portal charts: each <canvas data-chart='{...}'> carries its data as JSON in an attribute
// ({labels, values} for bars, or {labels, series:[{label, values, color?}]} for lines, a series' color chosen by the server; unit "bytes" (default), "count",
// or "money" with currency and digits, the values being integer minor units). No inline script (CSP).
// Also draws the charts of content htmx swaps in.
(function () {
  "use strict";
  if (!window.Chart) return;
  function render(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) return; // already drawn
      var data = JSON.parse(canvas.getAttribute("data-chart"));
      var palette = ["#0172ad", "#2e7d32", "#f57c00", "#6a1b9a", "#c62828", "#00838f", "#ad1457", "#5d4037"];
      var datasets = data.series
        ? data.series.map(function (s, i) {
            var color = s.color || palette[i % palette.length];
            return { label: s.label, data: s.values, borderColor: color, backgroundColor: color, tension: 0.2, pointRadius: 2 };
          })
        : [{ label: data.label || "", data: data.values, backgroundColor: data.labels.map(function (_, i) { return palette[i % palette.length]; }) }];
      new window.Chart(canvas, {
        type: data.series ? "line" : "bar",
        data: { labels: data.labels, datasets: datasets },
        options: {
          animation: false,
          plugins: {
            legend: { display: !!data.series },
            tooltip: { callbacks: { label: function (item) { return (item.dataset.label ? item.dataset.label + ": " : "") + formatValue(item.parsed.y, data); } } },
          },
          scales: { y: { beginAtZero: true, ticks: { precision: data.unit === "count" ? 0 : undefined, callback: function (v) { return formatValue(v, data); } } } },
        },
      });
    });
  }

  render(document);
  // Charts in content htmx swaps in (a tab, a page of a list) are drawn too.
  document.addEventListener("htmx:load", function (event) { render(event.detail.elt); });

  function formatValue(value, data) {
    // Money comes as integer minor units with its currency's digits; only the label divides.
    if (data.unit === "money") return formatMoney(value, data.digits || 0, data.currency || "");
    return formatBytes(value, data.unit);
  }

  function formatMoney(value, digits, currency) {
    var text = (value / Math.pow(10, digits)).toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return currency ? text + " " + currency : text;
  }

  function formatBytes(value, unit) {
    if (unit && unit !== "bytes") return value;
    if (value < 1024) return value + " B";
    if (value < 1048576) return (value / 1024).toFixed(0) + " KiB";
    if (value < 1073741824) return (value / 1048576).toFixed(1) + " MiB";
    return (value / 1073741824).toFixed(2) + " GiB";
  }
})();
