// groundswell serve: fills each page from the JSON API.
// Safety: data is only ever set as text (textContent, createTextNode, setAttribute on
// non-script attributes) and HTML-escaped before Plotly sees it; no markup is ever parsed.
"use strict";

const COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
  "#999999", "#332288", "#117733", "#882255", "#44AA99"];
const WITHHELD = "< 10";

// control and bidi characters (NUL, a right-to-left override that reverses a cell) as visible
// \uXXXX escapes: the same characters as groundswell.visible.HTML_UNPRINTABLE
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(value) {
  return String(value).replace(UNPRINTABLE,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function esc(value) {
  return visible(value ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
  })[c]);
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "text") node.textContent = visible(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "value") node.setAttribute(key, value);  // sent back as is, never shown
    else node.setAttribute(key, visible(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === "object" ? child : document.createTextNode(visible(child)));
  }
  return node;
}

function fmtNumber(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(2);
  return typeof value === "number" ? value.toLocaleString("en-US") : String(value);
}

function fmtShare(value) {
  return value === null || value === undefined ? "—" : (100 * value).toFixed(1) + "%";
}

// how a withheld field of a row reads: "withheld" when it was hidden beside a "< 10" one (so
// that one is not the total less the rows shown), "< 10" when it is that small; null if shown
function hidden(row, key) {
  if ((row.withheld || []).includes(key)) return "withheld";
  return (row.suppressed || []).includes(key) ? WITHHELD : null;
}

// a cell of a row: "< 10" (or "withheld") when the row lists the field as withheld
function shown(row, key, format) {
  return hidden(row, key) ?? (format || fmtNumber)(row[key]);
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = visible(message);
  box.hidden = false;
}

async function getJSON(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") query.set(key, value);
  }
  const url = path + (query.toString() ? "?" + query.toString() : "");
  const response = await fetch(url, { credentials: "same-origin" });
  const data = await response.json();
  if (!response.ok) {
    showError(data.error || "request failed: " + response.status);
    throw new Error(data.error || String(response.status));
  }
  document.getElementById("error").hidden = true;
  if (data.status && data.status.taken_at) {  // the header follows the data it shows
    const status = document.getElementById("status");
    const when = data.status.taken_at.replace("T", " ").slice(0, 19) + " UTC";
    status.textContent = visible((data.status.busy ? "store busy: showing data as of "
      : "data as of ") + when);
    status.classList.toggle("busy", Boolean(data.status.busy));
  }
  return data;
}

function table(id, headers, rows) {
  const node = document.getElementById(id);
  node.replaceChildren(
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { text: h })))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) =>
      c instanceof Node ? el("td", {}, c)
        : el("td", { className: /^[<\d.,%—-]/.test(String(c)) ? "num" : null, text: c }))))),
  );
}

function tiles(items) {
  document.getElementById("numbers").replaceChildren(...items.map(([label, value]) =>
    el("div", { className: "tile" }, el("span", { className: "big", text: value }), label)));
}

function plot(id, traces, layout) {
  const node = typeof id === "string" ? document.getElementById(id) : id;
  if (!node || typeof Plotly === "undefined") return Promise.resolve(node);
  const base = {
    margin: { l: 50, r: 20, t: 40, b: 60 }, height: 320, font: { size: 12 },
    paper_bgcolor: "#fff", plot_bgcolor: "#fff", legend: { orientation: "h", y: -0.25 },
  };
  return Plotly.react(node, traces, { ...base, ...layout },
    { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["toImage"] });
}

function fillSelect(id, values, labels) {
  const select = document.getElementById(id);
  const keep = Array.from(select.options).filter((o) => o.value === "");
  select.replaceChildren(...keep, ...values.map((v, i) =>
    el("option", { value: v, text: labels ? labels[i] : v })));
}

function onFilter(handler) {
  for (const input of document.querySelectorAll("[data-filter]")) {
    input.addEventListener("change", handler);
  }
}

const value = (id) => document.getElementById(id).value;

// -- post browser (posts page, and the timeline's selected range) ------------------------------
function postCard(post) {
  const meta = [post.created_at, post.platform, post.author, post.act, post.lang]
    .filter(Boolean).join(" · ");
  const link = post.url && /^https?:\/\//.test(post.url)
    ? el("a", { href: post.url, rel: "noopener noreferrer nofollow", target: "_blank",
      text: "open" }) : null;
  return el("article", { className: "post" },
    el("div", { className: "meta", text: meta }),
    el("p", { className: "text", text: post.text }),
    el("div", { className: "tags", text: (post.hashtags || []).join(" ") }), link);
}

async function renderBrowser(container, params, offset) {
  const data = await getJSON("/api/posts", { ...params, offset: offset || 0 });
  const total = (data.suppressed || []).includes("posts") ? WITHHELD : fmtNumber(data.posts);
  const chips = data.by_act.map((row) =>
    el("span", { className: "chip", "data-act": row.act }, row.act + ": " + shown(row, "posts")));
  const examples = Object.entries(data.examples || {}).map(([act, posts]) =>
    el("div", { className: "examples" }, el("h3", { text: "Example posts: " + act }),
      posts.map(postCard)));
  const pager = el("div", { className: "pager" },
    el("button", { type: "button", disabled: offset ? null : "disabled",
      onclick: () => renderBrowser(container, params, Math.max(0, offset - data.page_size)) },
    "newer"),
    el("button", { type: "button",
      disabled: data.page.length < data.page_size ? "disabled" : null,
      onclick: () => renderBrowser(container, params, (offset || 0) + data.page_size) },
    "older"));
  const withheld = (data.suppressed || []).includes("page")
    ? el("p", { className: "note", text: "Posts withheld: fewer than 10 distinct authors." })
    : null;
  const chart = el("div", { className: "chart small" });
  container.replaceChildren(...[
    el("p", { className: "numbers", id: "browser-total" },
      el("strong", { text: total }), " posts match"),
    el("div", { className: "chips" }, chips), chart, withheld, ...examples,
    el("h3", { text: "Posts, newest first" }), ...data.page.map(postCard), pager,
  ].filter(Boolean));
  await plot(chart, [{
    type: "bar", x: data.by_act.map((r) => esc(r.act)), y: data.by_act.map((r) => r.posts ?? 0),
    hovertext: data.by_act.map((r) => esc(r.act) + ": " + shown(r, "posts") + " posts"),
    hoverinfo: "text", marker: { color: data.by_act.map((r) => (r.suppressed || []).length
      ? "#cccccc" : COLORS[0]) },
  }], { title: { text: "Posts per act for this selection (grey: withheld, < 10 authors or "
    + "hidden beside such an act)" },
    height: 240, margin: { l: 50, r: 20, t: 40, b: 40 } });
}

// -- pages ------------------------------------------------------------------------------------
const pages = {};

pages.overview = async function () {
  const facets = await getJSON("/api/facets");
  fillSelect("f-platform", facets.platforms);
  async function load() {
    const d = await getJSON("/api/overview", { platform: value("f-platform") });
    tiles([["posts", shown(d, "posts")], ["distinct authors", shown(d, "authors")],
      ["reposts", shown(d, "reposts")], ["articles", fmtNumber(d.articles)],
      ["quarantined", fmtNumber(d.quarantined)]]);
    const acts = d.acts;
    plot("chart-acts", [{
      type: "bar", x: acts.map((r) => esc(r.act)), y: acts.map((r) => r.share),
      error_y: { type: "data", symmetric: false,
        array: acts.map((r) => r.ci_high === null ? 0 : r.ci_high - r.share),
        arrayminus: acts.map((r) => r.ci_low === null ? 0 : r.share - r.ci_low) },
      hovertext: acts.map((r) => esc(r.act) + ": " + shown(r, "share", fmtShare)),
      hoverinfo: "text", marker: { color: COLORS[0] }, name: "raw",
    }, ...(acts.some((r) => r.corrected !== null) ? [{
      type: "bar", x: acts.map((r) => esc(r.act)), y: acts.map((r) => r.corrected),
      error_y: { type: "data", symmetric: false,
        array: acts.map((r) => r.corrected_high === null ? 0 : r.corrected_high - r.corrected),
        arrayminus: acts.map((r) => r.corrected_low === null ? 0 : r.corrected - r.corrected_low) },
      hovertext: acts.map((r) => esc(r.act) + " corrected: " + shown(r, "corrected", fmtShare)),
      hoverinfo: "text", marker: { color: COLORS[2] }, name: "corrected for the model's errors",
    }] : [])], { title: { text: "Share of each speech act (95% intervals)" },
      yaxis: { tickformat: ".0%" }, barmode: "group" });
    const plat = d.by_platform;
    plot("chart-platforms", [{
      type: "bar", x: plat.map((r) => esc(r.platform)), y: plat.map((r) => r.posts),
      hovertext: plat.map((r) => esc(r.platform) + ": " + shown(r, "posts")),
      hoverinfo: "text", marker: { color: COLORS[1] },
    }], { title: { text: "Posts by platform" } });
    const m = d.model;
    document.getElementById("model").textContent = visible(m
      ? (m.method === "raw" ? "Raw shares only: " + (m.reason || "")
        : "Shares corrected by " + m.method + " for the errors of the " + m.model +
          " model (version " + m.version + ")" +
          (m.quality && m.quality.macro_f1 != null
            ? "; measured on " + m.quality.n + " real posts of the corpus test split: macro-F1 " +
              m.quality.macro_f1.toFixed(2) + ", accuracy " + m.quality.accuracy.toFixed(2) : "") +
          ". " + ((m.domain && m.domain.off_topic) ? m.domain.advice : ""))
      : (d.platform ? "Raw shares for one platform (the model's correction applies to the whole store)."
        : "Posts are not classified yet: run groundswell classify."));
    table("t-acts", ["act", "posts", "distinct authors", "raw share", "95% CI", "corrected share",
      "95% interval"], acts.map((r) => [r.act, shown(r, "posts"), shown(r, "authors"),
      shown(r, "share", fmtShare),
      hidden(r, "ci_low") ?? fmtShare(r.ci_low) + " to " + fmtShare(r.ci_high),
      shown(r, "corrected", fmtShare),
      r.corrected_low === null ? (hidden(r, "corrected_low") ?? "—")
        : fmtShare(r.corrected_low) + " to " + fmtShare(r.corrected_high)]));
    table("t-runs", ["started (UTC)", "read", "stored", "duplicates", "reposts", "quarantined",
      "balanced"], d.runs.map((r) => [String(r.started_at || "").slice(0, 16), fmtNumber(r.read),
      fmtNumber(r.stored), fmtNumber(r.duplicates), fmtNumber(r.reposts),
      fmtNumber(r.quarantined), r.balanced ? "yes" : "NO"]));
    table("t-quarantine", ["format", "reason", "records"],
      d.quarantine.map((r) => [r.format, r.reason, fmtNumber(r.records)]));
  }
  onFilter(load);
  await load();
};

pages.timeline = async function () {
  const facets = await getJSON("/api/facets");
  fillSelect("f-tags", facets.tags);
  const browser = document.getElementById("browser");
  const range = () => ({ from: value("f-from"), to: value("f-to") });
  async function loadBrowser() { await renderBrowser(browser, range(), 0); }
  function brushed(event) {
    const x = event && event.range && event.range.x;
    const r0 = event && event["xaxis.range[0]"];
    const [a, b] = x || (r0 ? [r0, event["xaxis.range[1]"]] : [null, null]);
    if (!a) return;
    document.getElementById("f-from").value = String(a).slice(0, 10);
    document.getElementById("f-to").value = String(b).slice(0, 10);
    loadBrowser();
  }
  async function load() {
    const tags = Array.from(document.getElementById("f-tags").selectedOptions).map((o) => o.value);
    const d = await getJSON("/api/timeline", { tags: tags.join(",") });
    const lines = (items, nameKey) => items.map((s, i) => ({
      type: "scatter", mode: "lines", x: d.days, y: s.posts, name: esc(s[nameKey]),
      line: { color: COLORS[i % COLORS.length], width: 1.5 },
      hovertemplate: esc(s[nameKey]) + " %{x}: %{y:,} posts<extra></extra>",
    }));
    const withheld = (items, nameKey) => {
      const x = [], text = [];
      for (const s of items) for (const day of s.suppressed_days) {
        x.push(day); text.push(esc(s[nameKey]) + " " + day + ": " + WITHHELD + " authors");
      }
      return x.length ? [{ type: "scatter", mode: "markers", x, y: x.map(() => 0),
        name: "withheld (" + esc(WITHHELD) + ")", marker: { symbol: "line-ns-open", color: "#999" },
        hovertext: text, hoverinfo: "text" }] : [];
    };
    const layout = (title) => ({ title: { text: title }, dragmode: "select", selectdirection: "h",
      xaxis: { type: "date" }, shapes: bursts });
    const bursts = (d.events || []).filter((e) => e.kind === "burst" && e.start).map((e) => ({
      type: "rect", xref: "x", yref: "paper", x0: e.start, x1: e.end || e.start, y0: 0, y1: 1,
      fillcolor: "rgba(213,94,0,0.08)", line: { width: 0 } }));
    const tagChart = document.getElementById("chart-tags");
    await plot("chart-tags", [...lines(d.tags, "tag"), ...withheld(d.tags, "tag")],
      { ...layout("Posts per day by tag (shaded: bursts)"), height: 380 });
    // the acts of a day sum to its posts: acts withheld together (a "< 10" one and, beside it,
    // the smallest other) are one grey mark whose hover names them, as the report's act bars
    const together = d.acts_withheld || [];
    const grey = together.length ? [{ type: "scatter", mode: "markers", name: "withheld acts",
      x: together.map((w) => w.day), y: together.map((w) => w.posts ?? 0),
      marker: { symbol: "square", color: "#bbbbbb" }, hoverinfo: "text",
      hovertext: together.map((w) => esc(w.day) + ", withheld together: " + Object.entries(w.acts)
        .map(([act, why]) => esc(act) + " (" + esc(why) + ")").join(", ")
        + (w.posts === null ? "" : ": " + fmtNumber(w.posts) + " posts")) }] : [];
    await plot("chart-acts", [...lines(d.acts, "act"), ...grey],
      layout("Posts per day by speech act (grey: acts withheld together)"));
    for (const chart of [tagChart, document.getElementById("chart-acts")]) {
      if (chart && chart.on && !chart.dataset.bound) {
        chart.on("plotly_selected", brushed);
        chart.on("plotly_relayout", brushed);
        chart.dataset.bound = "1";
      }
    }
    table("t-events", ["series", "kind", "start", "end", "level", "posts"],
      (d.events || []).map((e) => [e.series, e.kind, e.start || "", e.end || "",
        fmtNumber(e.level), shown(e, "posts")]));
    if (d.events_error) showError(d.events_error);
  }
  document.getElementById("f-tags").addEventListener("change", load);
  document.getElementById("f-from").addEventListener("change", loadBrowser);
  document.getElementById("f-to").addEventListener("change", loadBrowser);
  document.getElementById("f-clear").addEventListener("click", () => {
    document.getElementById("f-from").value = "";
    document.getElementById("f-to").value = "";
    loadBrowser();
  });
  await load();
  await loadBrowser();
};

pages.family = async function () {
  async function load() {
    const d = await getJSON("/api/family", { seed: value("f-seed") });
    if (!document.getElementById("f-seed").options.length) {
      fillSelect("f-seed", d.choices || []);
      document.getElementById("f-seed").value = d.seed || "";
    }
    if (d.error) { showError(d.error); return; }
    document.getElementById("method").textContent = visible("Membership by " + d.method + ": " +
      d.method_reason + ". Roles from the speech-act mix: counter when backlash exceeds the " +
      "counter share; spin-off when the dominant act is a first-person act other than the seed's.");
    const rows = d.rows;
    const roles = {};
    for (const r of rows) roles[r.role] = (roles[r.role] || 0) + 1;
    tiles([["members", fmtNumber(rows.length)],
      ...Object.entries(roles).map(([role, n]) => [role, fmtNumber(n)])]);
    const acts = Object.keys(rows[0] || {}).filter((k) => k.startsWith("share_"));
    plot("chart-family", acts.map((k, i) => ({
      type: "bar", name: esc(k.slice(6)), y: rows.map((r) => esc(r.tag) + " (" + esc(r.role) + ")"),
      x: rows.map((r) => r[k]), orientation: "h", marker: { color: COLORS[i % COLORS.length] },
      hovertext: rows.map((r) => esc(r.tag) + " " + esc(k.slice(6)) + ": " + shown(r, k, fmtShare)),
      hoverinfo: "text",
    })), { barmode: "stack", title: { text: "Speech-act mix of each member" },
      xaxis: { tickformat: ".0%" }, height: 120 + 28 * rows.length, margin: { l: 200 } });
    table("t-family", ["tag", "role", "basis", "posts", "distinct authors", "co-occurrence",
      "first day", "dominant act", ...acts.map((k) => k.slice(6))], rows.map((r) => [r.tag,
      r.role, r.basis, shown(r, "posts"), shown(r, "authors"), shown(r, "cooccurrence"),
      r.first_day || "", r.dominant_act || "", ...acts.map((k) => shown(r, k, fmtShare))]));
  }
  onFilter(load);
  await load();
};

pages.testimonies = async function () {
  const facets = await getJSON("/api/facets");
  fillSelect("f-platform", facets.platforms);
  async function load() {
    const d = await getJSON("/api/testimonies", { platform: value("f-platform") });
    tiles([["testimonies", shown(d, "n")], ["distinct authors", shown(d, "authors")]]);
    const q = d.quality;
    document.getElementById("quality").textContent = visible(q
      ? "On the " + q.relation.n + " real testimonies of the corpus test split, relation is right for " +
        fmtShare(q.relation.accuracy) + ", setting for " + fmtShare(q.setting.accuracy) +
        ": too few to correct these shares, so intervals count sampling error only."
      : (d.note || "The model's testimony details have no real-data evaluation."));
    const parts = [];
    for (const field of ["harm", "relation", "setting"]) {
      const rows = (d.fields || {})[field] || [];
      const open = rows.filter((r) => !(r.suppressed || []).includes("share"));
      plot("chart-" + field, [{
        type: "bar", orientation: "h", y: open.map((r) => esc(r.label)), x: open.map((r) => r.share),
        error_x: { type: "data", symmetric: false, array: open.map((r) => r.ci_high - r.share),
          arrayminus: open.map((r) => r.share - r.ci_low) },
        hovertext: open.map((r) => esc(r.label) + ": " + fmtShare(r.share) + " (" +
          fmtShare(r.ci_low) + " to " + fmtShare(r.ci_high) + ")"),
        hoverinfo: "text", marker: { color: COLORS[2] },
      }], { title: { text: esc(field) }, xaxis: { tickformat: ".0%" }, margin: { l: 110 } });
      const id = "t-" + field;
      parts.push(el("h2", { text: field }), el("table", { className: "data", id }));
    }
    document.getElementById("tables").replaceChildren(...parts);
    for (const field of ["harm", "relation", "setting"]) {
      const rows = (d.fields || {})[field] || [];
      table("t-" + field, [field, "testimonies", "distinct authors", "share", "95% CI"],
        rows.map((r) => [r.label, shown(r, "posts"), shown(r, "authors"), shown(r, "share", fmtShare),
          hidden(r, "ci_low") ?? fmtShare(r.ci_low) + " to " + fmtShare(r.ci_high)]));
    }
  }
  onFilter(load);
  await load();
};

pages.people = async function () {
  const d = await getJSON("/api/people");
  if (d.error) showError(d.error);
  function load() {
    const role = value("f-role");  // people named in that role by at least 10 authors
    const rows = d.rows.filter((r) => role === "" || (r[role] !== null && r[role] > 0));
    const key = role || "authors";
    tiles([["people shown", fmtNumber(rows.length)],
      [role ? "authors naming them " + role : "distinct authors naming them",
        fmtNumber(rows.reduce((s, r) => s + (r[key] || 0), 0))]]);
    const top = rows.filter((r) => r.attention && r.attention.length).slice(0, 8);
    plot("chart-attention", top.map((r, i) => ({
      type: "scatter", mode: "lines", name: esc(r.person), x: r.attention.map((a) => a.day),
      y: r.attention.map((a) => a.authors), line: { color: COLORS[i % COLORS.length] },
      hovertext: r.attention.map((a) => esc(r.person) + " " + a.day + ": " +
        shown(a, "authors") + " authors"), hoverinfo: "text",
    })), { title: { text: "Attention: distinct authors per day" }, height: 380 });
    table("t-people", ["person", "kind", "mentions", "distinct authors", ...d.roles, "first day",
      "peak day", "authors on peak day"], rows.map((r) => [r.person, r.kind || "",
      shown(r, "mentions"), shown(r, "authors"), ...d.roles.map((k) => shown(r, k)),
      shown(r, "first_day", String), shown(r, "peak_day", String), shown(r, "peak_authors")]));
  }
  onFilter(load);
  load();
};

pages.pileons = async function () {
  const d = await getJSON("/api/pileons");
  if (d.error) showError(d.error);
  function load() {
    const min = Number(value("f-min"));
    const rows = d.rows.filter((r) => (r.authors || 0) >= min);
    tiles([["pile-ons", fmtNumber(rows.length)],
      ["authors in them", fmtNumber(rows.reduce((s, r) => s + (r.authors || 0), 0))]]);
    plot("chart-pileons", [{
      type: "bar", x: rows.map((r, i) => (i + 1) + ". " + esc(r.target)), y: rows.map((r) => r.authors),
      hovertext: rows.map((r) => esc(r.target) + ": " + shown(r, "authors") + " authors, backlash " +
        fmtShare(r.backlash_share) + ", hostile " + fmtShare(r.hostile_share)),
      hoverinfo: "text", marker: { color: COLORS[3] },
    }], { title: { text: "Distinct authors per pile-on" } });
    table("t-pileons", ["target", "kind", "platform", "window start", "distinct authors", "posts",
      "x baseline", "act mix", "backlash", "hostile wording"], rows.map((r) => [r.target,
      r.target_kind, r.platform, String(r.window_start || "").slice(0, 16), shown(r, "authors"),
      shown(r, "posts"), fmtNumber(r.ratio), r.act_mix, fmtShare(r.backlash_share),
      fmtShare(r.hostile_share)]));
  }
  onFilter(load);
  load();
};

pages.articles = async function () {
  const d = await getJSON("/api/articles");
  if (d.error) showError(d.error);
  const method = document.getElementById("method");
  if (method) method.textContent = visible(d.method || "");
  function load() {
    const stance = value("f-stance");
    const rows = d.rows.filter((a) => !stance || a.stance === stance);
    tiles([["articles shown", fmtNumber(rows.length)], ["of", fmtNumber(d.rows.length)]]);
    const counts = {};
    for (const a of rows) counts[a.stance || "no stance"] = (counts[a.stance || "no stance"] || 0) + 1;
    plot("chart-stance", [{ type: "bar", x: Object.keys(counts).map(esc),
      y: Object.values(counts), marker: { color: COLORS[4] } }],
    { title: { text: "Articles by stance" } });
    document.getElementById("list").replaceChildren(...rows.map((a) => el("article",
      { className: "post" },
      el("h3", { text: a.title }),
      el("div", { className: "meta", text: [a.created_at, a.stance || "no stance",
        a.hashtags.join(" ")].filter(Boolean).join(" · ") }),
      el("ul", {}, a.stance_sentences.map((s) => el("li", {},
        el("span", { className: "chip", text: s.side }), " ", s.sentence))),
      el("p", { className: "note", text: "Claims: " + (a.claims.map((c) => c.claim + " (" +
        c.polarity + ")").join(", ") || "none") + ". People: " +
        (a.people.map((p) => p.name + " (" + p.role + ")").join(", ") || "none") }))));
  }
  onFilter(load);
  load();
};

pages.posts = async function () {
  const facets = await getJSON("/api/facets");
  fillSelect("f-tag", facets.tags);
  fillSelect("f-act", facets.acts);
  fillSelect("f-platform", facets.platforms);
  const params = new URLSearchParams(window.location.search);
  for (const key of ["tag", "act", "platform", "from", "to"]) {
    if (params.get(key)) document.getElementById("f-" + key).value = params.get(key);
  }
  const browser = document.getElementById("browser");
  async function load() {
    await renderBrowser(browser, { tag: value("f-tag"), act: value("f-act"),
      platform: value("f-platform"), from: value("f-from"), to: value("f-to") }, 0);
  }
  onFilter(load);
  await load();
};

window.addEventListener("DOMContentLoaded", () => {
  const name = document.body.dataset.page;
  const run = pages[name];
  if (run) {
    run().then(() => { document.body.dataset.ready = "1"; })
      .catch((err) => { document.body.dataset.ready = "error"; console.warn(err); });
  }
});
