// The mtqa review page. Served as a file (the page's CSP allows no inline script).
// Everything from the copy goes into the page as text nodes (textContent), never as HTML.
"use strict";

(function () {
  const CONTEXT = 80; // characters of context either side of a finding in the card
  const state = {
    documents: [],
    findings: [],
    decisions: {},
    visible: [], // indices into findings that pass the filters
    pos: 0, // index into visible
    editing: false,
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function status(text, isError) {
    const s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "ok";
  }

  // One request at a time, in the order of the keys pressed: an undo then always follows the
  // decision it takes back, and the decisions of the last response are the latest.
  let queue = Promise.resolve();
  function post(path, body) {
    const next = queue.then(() => send(path, body));
    queue = next.catch(() => {});
    return next;
  }

  async function send(path, body) {
    let res;
    try {
      res = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body || {}),
      });
    } catch (err) {
      throw new Error("the review server is not answering; nothing was saved");
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || "HTTP " + res.status);
    return data;
  }

  // --- filters and position ------------------------------------------------------------------

  function fillSelect(id, values) {
    const sel = $(id);
    for (const v of values) sel.append(el("option", { value: v }, v));
  }

  function uniq(key, order) {
    const vals = [...new Set(state.findings.map((f) => f[key]))];
    return order ? order.filter((v) => vals.includes(v)) : vals.sort();
  }

  function applyFilters(keepKey) {
    const sev = $("f-severity").value, cat = $("f-category").value, code = $("f-code").value;
    const open = $("f-open").checked;
    state.visible = [];
    state.findings.forEach((f, i) => {
      if (sev && f.severity !== sev) return;
      if (cat && f.category !== cat) return;
      if (code && f.code !== code) return;
      if (open && state.decisions[f.key] && f.key !== keepKey) return;
      state.visible.push(i);
    });
    // Stay on the same finding; if the filters hide it, go to the next one they show.
    const was = keepKey ? state.findings.findIndex((f) => f.key === keepKey) : -1;
    const next = state.visible.findIndex((i) => i >= was);
    state.pos = next >= 0 ? next : Math.max(0, state.visible.length - 1);
  }

  function current() {
    return state.visible.length ? state.findings[state.visible[state.pos]] : null;
  }

  function move(delta) {
    if (!state.visible.length) return;
    state.pos = Math.max(0, Math.min(state.visible.length - 1, state.pos + delta));
    render();
  }

  function goToKey(key) {
    const at = state.visible.findIndex((i) => state.findings[i].key === key);
    if (at >= 0) {
      state.pos = at;
      render();
    }
  }

  // --- rendering -----------------------------------------------------------------------------

  function shown(s) {
    if (s === "") return "(delete)";
    return s.replace(/\n/g, "⏎");
  }

  function decisionText(f, d) {
    if (!d) return "undecided";
    if (d.action === "reject") return "rejected: the text stays as it is";
    if (d.action === "edit") return "edited to “" + shown(d.replacement) + "”";
    if (d.replacement === null) return "confirmed: a real problem; the text stays until you edit it";
    const alt = f.suggestions.length > 1 ? " (alternative " + (d.choice + 1) + ")" : "";
    return "accepted “" + shown(d.replacement) + "”" + alt;
  }

  function renderHeader() {
    const n = state.visible.length;
    $("position").textContent = n ? (state.pos + 1) + " of " + n : "0 of 0";
    const decided = state.findings.filter((f) => state.decisions[f.key]).length;
    $("progress").textContent = decided + " of " + state.findings.length + " decided";
  }

  // Document names without the folder they all share, so long absolute paths stay readable.
  function shortNames() {
    const paths = state.documents.map((d) => d.path);
    let prefix = paths.length > 1 ? paths[0] : paths[0].slice(0, paths[0].lastIndexOf("/") + 1);
    for (const p of paths) while (!p.startsWith(prefix)) prefix = prefix.slice(0, -1);
    prefix = prefix.slice(0, prefix.lastIndexOf("/") + 1);
    return paths.map((p) => p.slice(prefix.length) || p);
  }

  function renderDocs(f) {
    const list = $("docs");
    const names = state.shortNames || (state.shortNames = shortNames());
    list.replaceChildren();
    state.documents.forEach((d, i) => {
      const ofDoc = state.findings.filter((x) => x.doc === i);
      const decided = ofDoc.filter((x) => state.decisions[x.key]).length;
      const inFilter = state.visible.filter((v) => state.findings[v].doc === i).length;
      const btn = el("button", { type: "button", class: "doc-link" + (inFilter ? "" : " dim"), title: d.path },
        el("span", { class: "doc-path" }, names[i]),
        el("span", { class: "doc-count", title: ofDoc.length ? decided + " of " + ofDoc.length + " findings decided" : "no findings" },
          ofDoc.length ? decided + "/" + ofDoc.length : "clean"));
      if (inFilter < ofDoc.length) btn.append(el("span", { class: "doc-filtered" }, inFilter + " shown"));
      btn.addEventListener("click", () => {
        const at = state.visible.findIndex((v) => state.findings[v].doc === i);
        if (at >= 0) {
          state.pos = at;
          render();
        } else {
          renderDocument(i, null);
        }
      });
      const li = el("li", { class: f && f.doc === i ? "current" : null }, btn);
      list.append(li);
    });
  }

  function renderCard(f) {
    const card = $("card");
    card.replaceChildren();
    if (!f) {
      card.append(el("p", { class: "empty" }, state.findings.length
        ? "No finding matches the filters."
        : "No findings: nothing to review."));
      return;
    }
    const doc = state.documents[f.doc];
    const d = state.decisions[f.key];
    card.append(el("div", { class: "meta" },
      el("span", { class: "code" }, f.code),
      el("span", { class: "sev sev-" + f.severity }, f.severity),
      el("span", { class: "cat" }, f.category),
      el("span", { class: "where" }, doc.path + ":" + f.line + ":" + f.column),
      f.score === null ? null : el("span", { class: "score", title: "the language model's confidence" }, "score " + f.score.toFixed(2))));
    card.append(el("p", { class: "message" }, f.message));

    // Context: the finding's own line (its paragraph, in most copy), at most CONTEXT characters each side.
    const lineStart = doc.text.lastIndexOf("\n", f.start - 1) + 1;
    const nl = doc.text.indexOf("\n", f.end);
    const lineEnd = nl < 0 ? doc.text.length : nl;
    const from = Math.max(lineStart, f.start - CONTEXT), to = Math.min(lineEnd, f.end + CONTEXT);
    const before = doc.text.slice(from, f.start), after = doc.text.slice(f.end, to);
    const lead = from > lineStart ? "…" : "", tail = to < lineEnd ? "…" : "";
    card.append(el("p", { class: "context", id: "context" },
      lead + before, el("mark", { class: "span sev-" + f.severity }, f.text || "‸"), after + tail));
    // Foreign script may have no font on the reviewer's machine: name its code points.
    if (f.text.length <= 16 && /[^\u0000-\u024f\u2000-\u206f\u20a0-\u20cf]/.test(f.text)) {
      const cps = [...f.text].map((c) => "U+" + c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0"));
      card.append(el("p", { class: "codepoints" }, "Characters: " + cps.join(" ")));
    }

    // "chosen": the accepted alternative; "default": what a (accept) takes while undecided.
    const chosen = d && d.action === "accept" ? d.choice : null;
    const deflt = d ? null : 0;
    if (f.suggestions.length) {
      const list = el("ol", { class: "alternatives", id: "alternatives" });
      f.suggestions.forEach((s, i) => {
        const btn = el("button", { type: "button", class: "alt" + (chosen === i ? " chosen" : "") + (deflt === i ? " default" : ""), dataset: { choice: i } },
          i < 9 ? el("kbd", {}, String(i + 1)) : null, " ", shown(s));
        btn.addEventListener("click", () => decide("accept", { choice: i }));
        list.append(el("li", {}, btn));
      });
      card.append(el("div", { class: "alts" }, el("span", { class: "label" }, "Fix:"), list));
      const repl = d && d.action !== "reject" ? d.replacement : (d ? null : f.suggestions[0]);
      if (repl !== null && repl !== undefined) {
        card.append(el("p", { class: "preview", id: "preview" }, el("span", { class: "label" }, "Becomes: "),
          lead + before, repl === "" ? el("del", {}, f.text) : el("ins", {}, repl), after + tail));
      }
    } else {
      card.append(el("p", { class: "nofix" }, "mtqa offers no fix for this one: a confirms it as a real problem (the text stays), e lets you rewrite it, r rejects it."));
    }

    const actions = el("div", { class: "actions" },
      el("button", { type: "button", id: "btn-accept" }, el("kbd", {}, "a"), f.suggestions.length ? " Accept" : " Confirm"),
      el("button", { type: "button", id: "btn-reject" }, el("kbd", {}, "r"), " Reject"),
      el("button", { type: "button", id: "btn-edit" }, el("kbd", {}, "e"), " Edit"),
      el("button", { type: "button", id: "btn-undo" }, el("kbd", {}, "u"), " Undo"),
      el("button", { type: "button", id: "btn-prev" }, el("kbd", {}, "k"), " Previous"),
      el("button", { type: "button", id: "btn-next" }, el("kbd", {}, "j"), " Next"));
    card.append(actions);
    card.append(el("p", { class: "decision decision-" + (d ? d.action : "open"), id: "decision" }, "Decision: " + decisionText(f, d)));

    const form = el("form", { id: "edit-form", hidden: !state.editing, autocomplete: "off" },
      el("label", { for: "edit-input" }, "Your correction "),
      el("input", { id: "edit-input", type: "text", spellcheck: "true" }),
      el("button", { type: "submit" }, "Save"),
      el("button", { type: "button", id: "edit-cancel" }, "Cancel"));
    card.append(form);

    $("btn-accept").addEventListener("click", () => accept());
    $("btn-reject").addEventListener("click", () => decide("reject"));
    $("btn-edit").addEventListener("click", () => startEdit());
    $("btn-undo").addEventListener("click", () => undo());
    $("btn-prev").addEventListener("click", () => move(-1));
    $("btn-next").addEventListener("click", () => move(1));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      state.editing = false;
      decide("edit", { replacement: $("edit-input").value });
    });
    $("edit-cancel").addEventListener("click", () => { state.editing = false; render(); });
  }

  function renderDocument(docIndex, f) {
    const doc = state.documents[docIndex];
    $("doc-title").textContent = doc.path;
    const box = $("doc-text");
    box.replaceChildren();
    const mine = state.findings.filter((x) => x.doc === docIndex);
    const shownKeys = new Set(state.visible.map((i) => state.findings[i].key));
    const cuts = new Set([0, doc.text.length]);
    for (const x of mine) { cuts.add(x.start); cuts.add(x.end); }
    const points = [...cuts].sort((a, b) => a - b);
    const caretsAt = (p) => mine.filter((x) => x.start === x.end && x.start === p);
    const mark = (covering, text) => {
      const worst = covering.reduce((a, b) => (rank(b.severity) > rank(a.severity) ? b : a));
      const classes = ["sev-" + worst.severity];
      const ds = covering.map((x) => state.decisions[x.key]).filter(Boolean);
      if (ds.length === covering.length) classes.push(ds.every((x) => x.action === "reject") ? "rejected" : "fixed");
      if (f && covering.includes(f)) classes.push("current");
      if (!covering.some((x) => shownKeys.has(x.key))) classes.push("filtered-out");
      const m = el("mark", { class: classes.join(" "), title: covering.map((x) => x.code + " " + x.message).join("\n") }, text);
      m.addEventListener("click", () => goToKey((covering.includes(f) ? f : covering[0]).key));
      return m;
    };
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const carets = caretsAt(a);
      if (carets.length) box.append(mark(carets, "‸"));
      const covering = mine.filter((x) => x.start < x.end && x.start <= a && b <= x.end);
      const text = doc.text.slice(a, b);
      box.append(covering.length ? mark(covering, text) : document.createTextNode(text));
    }
    const end = caretsAt(doc.text.length);
    if (end.length && points.length > 1) box.append(mark(end, "‸"));
    const cur = box.querySelector("mark.current");
    if (cur) cur.scrollIntoView({ block: "center" });
  }

  function rank(sev) {
    return { minor: 0, major: 1, critical: 2 }[sev] || 0;
  }

  function render() {
    const f = current();
    if (f) history.replaceState(null, "", "#" + encodeURIComponent(f.key));
    renderHeader();
    renderDocs(f);
    renderCard(f);
    if (f) renderDocument(f.doc, f);
    else if (state.documents.length) renderDocument(0, null);
    if (state.editing && f) {
      const input = $("edit-input");
      const d = state.decisions[f.key];
      input.value = d && d.replacement !== null && d.action !== "reject" ? d.replacement : (f.suggestions[0] ?? f.text);
      input.focus();
      input.select();
    }
  }

  // --- actions -------------------------------------------------------------------------------

  async function decide(action, extra) {
    const f = current();
    if (!f) return;
    try {
      const res = await post("api/decide", Object.assign({ key: f.key, action }, extra || {}));
      state.decisions = res.decisions;
      status("saved", false);
    } catch (err) {
      status("not saved: " + err.message, true);
    }
    // Stay where the reviewer is now: they may have moved on while the save was on its way.
    const now = current();
    applyFilters(now ? now.key : f.key);
    render();
  }

  function accept() {
    const f = current();
    if (!f) return;
    const d = state.decisions[f.key];
    if (!f.suggestions.length) decide("accept", {});
    else decide("accept", { choice: d && d.action === "accept" ? d.choice : 0 });
  }

  function startEdit() {
    if (!current()) return;
    state.editing = true;
    render();
  }

  async function undo() {
    try {
      const res = await post("api/undo", {});
      state.decisions = res.decisions;
      status(res.undone ? "undone" : "nothing to undo", false);
      applyFilters(res.undone || (current() && current().key));
    } catch (err) {
      status("undo failed: " + err.message, true);
    }
    render();
  }

  async function exportCopy() {
    try {
      const res = await post("api/export", {});
      const skipped = res.skipped && res.skipped.length
        ? "; " + res.skipped.length + " fix(es) could not be placed in a feed file (they are in its .items.jsonl)" : "";
      status("exported " + (res.written.length - 1) + " file(s) and the decisions to " + res.folder + skipped, false);
    } catch (err) {
      status("export failed: " + err.message, true);
    }
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = ev.target && ev.target.tagName;
    if (state.editing && ev.key === "Escape") {
      state.editing = false;
      render();
      return;
    }
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    const f = current();
    if (ev.key === "j") move(1);
    else if (ev.key === "k") move(-1);
    else if (ev.key === "a") accept();
    else if (ev.key === "r") decide("reject");
    else if (ev.key === "e") startEdit();
    else if (ev.key === "u") undo();
    else if (/^[1-9]$/.test(ev.key) && f && Number(ev.key) <= f.suggestions.length) decide("accept", { choice: Number(ev.key) - 1 });
    else return;
    ev.preventDefault();
  }

  async function start() {
    let data;
    try {
      const res = await fetch("api/session");
      data = await res.json();
    } catch (err) {
      status("cannot load the review: " + err.message, true);
      return;
    }
    Object.assign(state, { documents: data.documents, findings: data.findings, decisions: data.decisions });
    $("log-path").textContent = data.log;
    fillSelect("f-severity", uniq("severity", ["critical", "major", "minor"]));
    fillSelect("f-category", uniq("category"));
    fillSelect("f-code", uniq("code"));
    for (const id of ["f-severity", "f-category", "f-code", "f-open"]) {
      $(id).addEventListener("change", () => {
        const f = current();
        applyFilters(f && f.key);
        render();
        $(id).blur(); // give the keys back to the page
      });
    }
    $("export").addEventListener("click", exportCopy);
    document.addEventListener("keydown", onKey);
    if (data.errors && data.errors.length) status(data.errors.join("; "), true);
    // Resume: the finding in the URL (a reload), else the first one still undecided.
    const wanted = decodeURIComponent(location.hash.slice(1));
    const first = state.findings.find((f) => f.key === wanted) || state.findings.find((f) => !state.decisions[f.key]);
    applyFilters(first ? first.key : null);
    render();
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
