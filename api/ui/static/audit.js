// The workbench chart: findings per day, stacked by rule (ECharts, served locally).
(function () {
  "use strict";
  var element = document.getElementById("audit-chart");
  if (!element) { return; }
  var data = JSON.parse(document.getElementById("audit-chart-data").textContent);
  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { name: s.name, ruleId: s.rule_id, type: "bar", stack: "findings", data: s.data };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
