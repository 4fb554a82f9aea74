// The hourly KPI chart of each linked cell (ECharts, served locally). The data comes from the
// page (a JSON script beside each chart): one point per hour with data, the RAT's threshold,
// degraded hours, alarms and the resolution time. The legend shows one KPI at a time.
(function () {
  "use strict";
  var HOUR = 3600 * 1000;

  // times are the operator's wall-clock times, drawn as UTC (useUTC) so the browser's own
  // zone does not shift them
  function time(wall) { return Date.parse(wall + "Z"); }

  function verticals(data) {
    var lines = [];
    if (data.resolved_at) {
      lines.push({ xAxis: time(data.resolved_at), name: data.labels.resolved,
                   lineStyle: { color: "#1a7f37", type: "solid", width: 2 },
                   label: { formatter: data.labels.resolved } });
    }
    data.alarms.forEach(function (a) {
      lines.push({ xAxis: time(a.raised_at), name: a.id, alarm: a.id,
                   lineStyle: { color: "#cf222e", type: "dashed" },
                   label: { formatter: a.id + " " + a.severity_label } });
    });
    return lines;
  }

  function areas(data, end) {
    var marked = data.degraded_hours.map(function (at) {
      return [{ xAxis: time(at), itemStyle: { color: "rgba(207, 34, 46, 0.10)" } },
              { xAxis: time(at) + HOUR }];
    });
    data.alarms.forEach(function (a) {
      marked.push([{ xAxis: time(a.raised_at), name: a.id,
                     itemStyle: { color: "rgba(191, 135, 0, 0.12)" } },
                   { xAxis: a.cleared_at ? time(a.cleared_at) : end }]);
    });
    return marked;
  }

  function draw(element, data) {
    var chart = echarts.init(element, null, { renderer: "svg" });
    var hours = data.hours.map(time);
    // one point per hour with data: an hour without a value is left out, not drawn as zero
    data.series.forEach(function (s) {
      s.points = [];
      s.values.forEach(function (v, i) { if (v !== null) { s.points.push([hours[i], v]); } });
    });
    var end = hours.length ? hours[hours.length - 1] + HOUR : Date.now();
    // the KPI that breached most often is the one shown first
    var first = data.series[0];
    data.series.forEach(function (s) {
      var breaches = s.points.filter(function (p) {
        return s.threshold !== null && (s.comparator === ">" ? p[1] > s.threshold : p[1] < s.threshold);
      }).length;
      s.breaches = breaches;
      if (breaches > (first.breaches || 0)) { first = s; }
    });
    var selected = {};
    data.series.forEach(function (s) { selected[s.name] = s === first; });
    chart.setOption({
      animation: false, useUTC: true,
      tooltip: { trigger: "axis" },
      legend: { selectedMode: "single", selected: selected, top: 0 },
      grid: { left: 50, right: 30, top: 40, bottom: 50 },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: data.series.map(function (s) {
        var lines = verticals(data);
        if (s.threshold !== null) {
          lines.push({ yAxis: s.threshold, name: data.labels.threshold,
                       lineStyle: { color: "#9a6700", type: "dotted", width: 2 },
                       label: { formatter: data.labels.threshold + " " + s.comparator + " " + s.threshold + " " + s.unit } });
        }
        return {
          name: s.name, kpi: s.kpi, type: "line", showSymbol: true, symbolSize: 4,
          connectNulls: false, data: s.points,
          markLine: { symbol: "none", silent: true, data: lines },
          markArea: { silent: true, data: areas(data, end) }
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  document.querySelectorAll(".chart[data-chart]").forEach(function (element) {
    var script = element.nextElementSibling;
    draw(element, JSON.parse(script.textContent));
  });
})();
