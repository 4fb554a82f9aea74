// The workbench chart: findings per day stacked by rule, and the day's finding rate (findings
// over tickets audited x rules) as a line on the right axis (ECharts, served locally).
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
    yAxis: [{ type: "value", minInterval: 1 },
            { type: "value", axisLabel: { formatter: function (v) { return (v * 100).toFixed(1) + " %"; } },
              splitLine: { show: false } }],
    series: data.series.map(function (s) {
      return { name: s.name, ruleId: s.rule_id, type: "bar", stack: "findings", data: s.data };
    }).concat([{ name: data.rate_name, type: "line", yAxisIndex: 1, data: data.rate,
                 symbolSize: 6, lineStyle: { width: 2, color: "#1f2328" },
                 itemStyle: { color: "#1f2328" } }])
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
