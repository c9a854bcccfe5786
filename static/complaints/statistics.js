/* Complaint statistics charts (Apache ECharts, served locally), from the json_script element #complaint-charts. */
(function () {
  "use strict";
  var holder = document.getElementById("complaint-charts");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var font = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
  var charts = [];

  function draw(el, option) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.textStyle = { fontFamily: font };
    option.animation = false;
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  document.querySelectorAll(".echart[data-chart]").forEach(function (el) {
    var key = el.getAttribute("data-chart");
    if (key === "monthly") {
      var m = data.monthly;
      draw(el, {
        title: { text: m.title, textStyle: { fontSize: 13 } },
        tooltip: { trigger: "axis" },
        legend: { top: 0, right: 0 },
        grid: { left: 40, right: 16, top: 40, bottom: 28 },
        xAxis: { type: "category", data: m.rows.map(function (r) { return r.month; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: m.series.map(function (s) {
          return { name: s[1], type: "bar", itemStyle: { color: s[2] }, data: m.rows.map(function (r) { return r[s[0]]; }) };
        })
      });
      return;
    }
    var sec = data.sections[key];
    if (!sec) { return; }
    var rows = sec.rows.slice().reverse();
    el.style.height = Math.max(120, 28 * rows.length + 50) + "px";
    draw(el, {
      title: { text: sec.title, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 34, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.count; }), itemStyle: { color: sec.color },
                 label: { show: true, position: "right" } }]
    });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
