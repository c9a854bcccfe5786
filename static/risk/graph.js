// The ring's co-bidding network, drawn with the locally served ECharts (static/vendor/echarts).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("ring-chart");
  var data = document.getElementById("ring-graph");
  if (!holder || !data || !window.echarts) { return; }
  var graph = JSON.parse(data.textContent);
  var max = Math.max.apply(null, graph.links.map(function (l) { return l.value; }).concat([1]));
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { formatter: function (p) {
      return p.dataType === "edge" ? "共同投标 " + p.data.value + " 次" : p.data.name + "（投标 " + p.data.bids + " 次）";
    } },
    series: [{
      type: "graph", layout: "circular", roam: false, label: { show: true, position: "bottom", fontSize: 13 },
      symbolSize: 34, itemStyle: { color: "#b3261e" },
      edgeLabel: { show: true, formatter: function (p) { return String(p.data.value); } },
      lineStyle: { color: "#777", curveness: 0.08 },
      data: graph.nodes.map(function (n) { return { id: n.id, name: n.name, bids: n.bids }; }),
      links: graph.links.map(function (l) {
        return { source: l.source, target: l.target, value: l.value, lineStyle: { width: 1 + 6 * l.value / max } };
      })
    }]
  });
  holder.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () { chart.resize(); });
});
