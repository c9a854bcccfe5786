/* Supervision dashboard charts (Apache ECharts, served locally). Data comes from the json_script element
   #dashboard-data; clicking a bar or a point opens the items behind it (drill-down). No inline script. */
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var font = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
  var charts = [];

  function drill(query, extra) {
    window.location.href = data.drill + "?" + query + extra;
  }

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    if (onClick) { chart.on("click", onClick); }
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  var mechanismParam = data.mechanism ? "&mechanism=" + encodeURIComponent(data.mechanism) : "";
  var mech = data.mechanisms;
  make("chart-mechanisms", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: "category", data: mech.map(function (m) { return m.label; }), axisLabel: { interval: 0, rotate: 20 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "按期办结", type: "bar", barMaxWidth: 36, stack: "closed", data: mech.map(function (m) { return m.on_time; }), itemStyle: { color: "#2f855a" } },
      { name: "超期办结", type: "bar", barMaxWidth: 36, stack: "closed", data: mech.map(function (m) { return m.late; }), itemStyle: { color: "#dd6b20" } },
      { name: "超期未办结", type: "bar", barMaxWidth: 28, data: mech.map(function (m) { return m.open_overdue; }), itemStyle: { color: "#c53030" } }
    ]
  }, function (p) {
    var metric = { "按期办结": "on_time", "超期办结": "late", "超期未办结": "open_overdue" }[p.seriesName];
    drill(data.query, "&metric=" + metric + "&mechanism=" + encodeURIComponent(mech[p.dataIndex].code));
  });

  var trend = data.trend;
  make("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 48, top: 36, bottom: 30 },
    xAxis: { type: "category", data: trend.map(function (t) { return t.quarter; }) },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: "收件", type: "bar", barMaxWidth: 28, data: trend.map(function (t) { return t.received; }), itemStyle: { color: "#90cdf4" } },
      { name: "办结", type: "bar", barMaxWidth: 28, data: trend.map(function (t) { return t.handled; }), itemStyle: { color: "#2b6cb0" } },
      { name: "按期率", type: "line", yAxisIndex: 1, data: trend.map(function (t) { return t.rate; }), itemStyle: { color: "#2f855a" } }
    ]
  }, function (p) {
    var metric = p.seriesName === "收件" ? "received" : "handled";
    drill(trend[p.dataIndex].query, "&metric=" + metric + mechanismParam);
  });

  var depts = data.departments;
  make("chart-departments", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 120, right: 24, top: 36, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: depts.map(function (d) { return d.name; }) },
    series: [
      { name: "超期未办结", type: "bar", barMaxWidth: 28, data: depts.map(function (d) { return d.open_overdue; }), itemStyle: { color: "#c53030" } },
      { name: "超期办结", type: "bar", barMaxWidth: 28, data: depts.map(function (d) { return d.late; }), itemStyle: { color: "#dd6b20" } }
    ]
  }, function (p) {
    var metric = p.seriesName === "超期未办结" ? "open_overdue" : "late";
    drill(data.query, "&metric=" + metric + "&department=" + encodeURIComponent(depts[p.dataIndex].code) + mechanismParam);
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
