// The trainer studio page: chat on the left, the decision on the right. No library: the
// diagram arrives as SVG drawn on the server (Graphviz).
"use strict";
(function () {
  const token = new URLSearchParams(location.search).get("token") || "";
  const state = { lang: "id", texts: {}, decision: null, scenarios: [], busy: false };
  // figures for the browser test (printed, never checked): page ready, each chat turn, and
  // each drawing of a decision (request to diagram on screen) by action and kind
  const timings = { pageReady: null, turns: [], draws: [] };
  window.studioTimings = timings;
  const $ = (id) => document.getElementById(id);
  const t = (key) => (state.texts[state.lang] || {})[key] || key;

  async function api(path, body) {
    const options = { headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify({ ...body, lang: state.lang });
    }
    const sep = path.includes("?") ? "&" : "?";
    const answer = await fetch(path + (body === undefined ? sep + "lang=" + state.lang : ""), options);
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const message = (data.message && data.message[state.lang]) || data.error || t("error");
      throw new Error(message);
    }
    return data;
  }

  function translate() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-t-placeholder]").forEach((el) => {
      el.placeholder = t(el.dataset.tPlaceholder);
    });
    $("lang-id").classList.toggle("on", state.lang === "id");
    $("lang-en").classList.toggle("on", state.lang === "en");
    document.title = t("title");
  }

  function say(kind, words) {
    const li = document.createElement("li");
    li.className = kind;
    li.textContent = words;
    $("messages").appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function show(value) {
    if (value === true) return t("yes");
    if (value === false) return t("no");
    if (value === null || value === undefined || value === "") return t("empty_value");
    if (Array.isArray(value)) return value.join(", ");
    return String(value);
  }

  function drawChanges(changes) {
    const box = $("changes");
    box.replaceChildren();
    if (!changes) { box.hidden = true; return; }
    box.hidden = false;
    const title = document.createElement("strong");
    title.textContent = t("changed");
    box.appendChild(title);
    const groups = [
      ["inputs_changed", changes.inputs.map((c) => `${c.field}: ${show(c.before)} → ${show(c.after)}`)],
      ["rules_added", changes.rules_added],
      ["rules_dropped", changes.rules_dropped],
      ["outputs_changed", changes.outputs.map((c) => `${c.field}: ${show(c.before)} → ${show(c.after)}`)],
    ];
    let any = false;
    for (const [key, items] of groups) {
      if (!items.length) continue;
      any = true;
      const p = document.createElement("div");
      p.className = "change-" + key;
      p.textContent = t(key) + ":";
      const ul = document.createElement("ul");
      items.forEach((item) => { const li = document.createElement("li"); li.textContent = item; ul.appendChild(li); });
      p.appendChild(ul);
      box.appendChild(p);
    }
    if (!any) { const p = document.createElement("p"); p.textContent = t("nothing_changed"); box.appendChild(p); }
  }

  function drawForm(view) {
    const form = $("whatif");
    form.replaceChildren();
    for (const field of view.form) {
      const label = document.createElement("label");
      label.textContent = field.name;
      label.htmlFor = "wi-" + field.name;
      let input;
      if (field.type === "bool") {
        input = document.createElement("select");
        const options = [["true", t("yes")], ["false", t("no")]];
        if (field.optional) options.push(["", t("unknown")]);
        for (const [value, words] of options) input.add(new Option(words, value));
        input.value = field.value === true ? "true" : field.value === false ? "false" : "";
      } else if (field.type === "choice" || field.type === "multi") {
        input = document.createElement("select");
        input.multiple = field.type === "multi";
        if (!input.multiple && field.optional) input.add(new Option(t("empty_value"), ""));
        for (const choice of field.choices) input.add(new Option(choice, choice));
        const chosen = Array.isArray(field.value) ? field.value : [field.value];
        for (const option of input.options) option.selected = chosen.includes(option.value);
      } else {
        input = document.createElement("input");
        input.type = "number";
        input.step = "1";
        input.value = field.value ?? "";
      }
      input.id = "wi-" + field.name;
      input.name = field.name;
      input.dataset.kind = field.type;
      form.append(label, input);
    }
    const button = document.createElement("button");
    button.type = "submit";
    button.id = "rerun";
    button.textContent = t("rerun");
    form.appendChild(button);
  }

  function clearDecision() {
    $("decision-id").textContent = "-";
    for (const id of ["diagram", "conclusions", "steps", "whatif"]) $(id).replaceChildren();
    drawChanges(null);
    for (const fmt of ["png", "pdf"]) {
      $("export-" + fmt).hidden = true;
      $("export-" + fmt).removeAttribute("href");
    }
    delete document.body.dataset.decision;
  }

  function drawDecision(view) {
    state.decision = view;
    $("empty").hidden = Boolean(view);
    if (!view) { clearDecision(); return; }
    $("decision-id").textContent = view.id;
    $("diagram").innerHTML = view.svg;  // drawn by our own server from our own data
    const conclusions = $("conclusions");
    conclusions.replaceChildren();
    for (const [key, value] of Object.entries(view.output)) {
      const dt = document.createElement("dt"); dt.textContent = key;
      const dd = document.createElement("dd"); dd.textContent = show(value);
      conclusions.append(dt, dd);
    }
    const steps = $("steps");
    steps.replaceChildren();
    for (const step of view.steps) {
      const li = document.createElement("li");
      li.className = "step";
      const because = document.createElement("div");
      because.textContent = step.because;
      const cite = document.createElement("div");
      cite.className = "cite";
      cite.textContent = `§ ${step.section} ${step.heading} · ${step.rule}`;
      const facts = document.createElement("div");
      facts.className = "facts";
      facts.textContent = t("facts") + ": " + step.facts.join(" | ") +
        (step.concluded ? " → " + step.concluded : "");
      li.append(because, cite, facts);
      steps.appendChild(li);
    }
    drawChanges(view.changes);
    drawForm(view);
    for (const fmt of ["png", "pdf"]) {
      const link = $("export-" + fmt);
      link.href = `/api/export/${fmt}/${view.id}?lang=${state.lang}&token=${encodeURIComponent(token)}`;
      link.setAttribute("download", `keputusan-${view.kind}-${view.id.slice(0, 8)}.${fmt}`);
      link.hidden = false;
    }
    document.body.dataset.decision = view.id;
    // the diagram, its legend and what changed in view (a what-if's button sits far below)
    $("decision-panel").scrollTop = 0;
  }

  function timed(action, started, view) {
    if (view) timings.draws.push({ action, kind: view.kind, ms: performance.now() - started });
  }

  async function loadDecision(id, before, action) {
    const started = performance.now();
    const query = before ? `?before=${before}` : "";
    const view = await api(`/api/decision/${id}${query}`);
    drawDecision(view);
    if (action) timed(action, started, view);
  }

  async function send(message) {
    if (!message) return;
    say("me", message);
    const turn = { sent: performance.now(), reply: null, diagram: null };
    const answer = await api("/api/chat", { message });
    turn.reply = performance.now();
    (answer.replies.length ? answer.replies : ["…"]).forEach((r) => say("reply", r));
    if (answer.decision_id) {
      await loadDecision(answer.decision_id, null, "chat");
      turn.diagram = performance.now();
    }
    timings.turns.push(turn);
  }

  function guarded(work) {
    return async (event) => {
      if (event) event.preventDefault();
      if (state.busy) return;
      state.busy = true;
      document.body.classList.add("busy");
      try { await work(); } catch (error) { say("error", error.message); }
      finally { state.busy = false; document.body.classList.remove("busy"); }
    };
  }

  function whatIfValues() {
    const values = {};
    for (const el of $("whatif").elements) {
      if (!el.name) continue;
      if (el.dataset.kind === "multi") values[el.name] = [...el.selectedOptions].map((o) => o.value);
      else if (el.dataset.kind === "bool") values[el.name] = el.value === "" ? null : el.value === "true";
      else if (el.dataset.kind === "number") values[el.name] = el.value === "" ? null : Number(el.value);
      else values[el.name] = el.value === "" ? null : el.value;
    }
    return values;
  }

  function fillScenarios() {
    const select = $("scenario");
    const keep = select.value;
    select.replaceChildren(new Option(t("pick"), ""));
    for (const s of state.scenarios) select.add(new Option(`${s.title} [${s.kind}]`, s.id));
    select.value = keep;
  }

  async function start() {
    const info = await api("/api/session");
    state.texts = info.texts;
    state.scenarios = info.scenarios;
    translate();
    fillScenarios();
    if (info.scenario_problems.length) {
      $("problems").hidden = false;
      $("problems").textContent = info.scenario_problems
        .map((p) => `${p.file}:\n- ${p.problems.join("\n- ")}`).join("\n");
    }
    drawDecision(info.decision);
    timings.pageReady = performance.now();
    document.body.dataset.ready = "1";
  }

  async function switchLanguage(lang) {
    state.lang = lang;
    const info = await api("/api/session");
    state.scenarios = info.scenarios;
    translate();
    fillScenarios();
    if (state.decision) await loadDecision(state.decision.id, state.decision.before);
  }

  $("chat-form").addEventListener("submit", guarded(async () => {
    const input = $("chat-input");
    const message = input.value.trim();
    input.value = "";
    await send(message);
  }));
  $("whatif").addEventListener("submit", guarded(async () => {
    if (!state.decision) return;
    const started = performance.now();
    const view = await api("/api/whatif", { decision_id: state.decision.id, inputs: whatIfValues() });
    drawDecision(view);
    timed("whatif", started, view);
  }));
  $("reset").addEventListener("click", guarded(async () => {
    await api("/api/reset", {});
    $("messages").replaceChildren();
    drawDecision(null);
    $("scenario").value = "";
    $("note").hidden = true;
    say("reply", t("reset_done"));
  }));
  $("scenario").addEventListener("change", () => {
    const chosen = state.scenarios.find((s) => s.id === $("scenario").value);
    $("note").hidden = !chosen;
    $("note").textContent = chosen ? chosen.note : "";
  });
  $("play").addEventListener("click", guarded(async () => {
    const id = $("scenario").value;
    if (!id) return;
    const started = performance.now();
    const answer = await api("/api/scenario", { id });
    $("note").hidden = false;
    $("note").textContent = answer.scenario.note;
    if (answer.decision) {
      drawDecision(answer.decision);
      timed("scenario", started, answer.decision);
    }
    for (const message of answer.scenario.chat) await send(message);
  }));
  $("lang-id").addEventListener("click", guarded(() => switchLanguage("id")));
  $("lang-en").addEventListener("click", guarded(() => switchLanguage("en")));
  guarded(start)();
})();
