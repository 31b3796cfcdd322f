// The live dashboard: start from the snapshot the page carries, follow the stream, keep the
// graph and the lists current, tell screen readers what happened (at most every ten seconds),
// and offer a projector mode.

import { applyEvent, fromSnapshot } from "./state.js";
import { Graph } from "./graph.js";
import { Twin } from "./twin.js";
import { loadMessages, plural, sentence } from "./text.js";

const ANNOUNCE_EVERY = 10_000;
const RETRY_CLOSED = 5_000;

function start() {
  const root = document.getElementById("live");
  const data = document.getElementById("live-snapshot");
  if (!root || !data) return;
  const messages = loadMessages(root);
  const urls = { idea: root.dataset.ideaUrl, team: root.dataset.teamUrl };
  let state = fromSnapshot(JSON.parse(data.textContent), urls);
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const twin = new Twin(root, messages);
  const graphBox = root.querySelector('[data-live="graph"]');
  const graph = window.d3 && graphBox ? new Graph(graphBox, { messages, reducedMotion }) : null;

  // --- Rendering: at most once a frame, however many events came.
  let pending = null;
  function render({ animate = true } = {}) {
    const marks = pending ? pending.marks : [];
    pending = null;
    twin.render(state, Date.now(), { animate });
    if (graph) graph.update(state, { animate, changed: marks });
  }
  function schedule(marks) {
    if (!pending) {
      pending = { marks: [] };
      window.requestAnimationFrame(() => render());
    }
    pending.marks.push(...marks);
  }

  // --- Spoken summary: collect, then say it in one sentence every ten seconds at most.
  const announcer = root.querySelector('[data-live="announcer"]');
  const mute = root.querySelector('[data-live="mute"]');
  let summary = { ideas: 0, comments: 0, supports: 0, teams: 0, prototypes: 0, sentences: [] };
  let muted = false;
  function collect(change) {
    for (const key of ["ideas", "comments", "supports", "teams", "prototypes"]) summary[key] += change.added[key];
    if (change.event.type === "announcement.created" || change.event.type === "phase.changed") {
      const text = sentence(messages, state, change.event);
      if (text) summary.sentences.push(text);
    }
  }
  function announce() {
    const parts = [...summary.sentences];
    for (const key of ["ideas", "comments", "supports", "teams", "prototypes"]) {
      if (summary[key]) parts.push(plural(messages, `summary.${key}`, summary[key]));
    }
    summary = { ideas: 0, comments: 0, supports: 0, teams: 0, prototypes: 0, sentences: [] };
    if (parts.length && !muted && announcer) announcer.textContent = `${parts.join(". ")}.`;
  }
  window.setInterval(announce, ANNOUNCE_EVERY);
  if (mute) {
    mute.hidden = false;
    mute.addEventListener("click", () => {
      muted = !muted;
      mute.setAttribute("aria-pressed", String(muted));
      if (muted && announcer) announcer.textContent = "";
    });
  }

  // --- The stream.
  const status = root.querySelector('[data-live="connection"]');
  function connection(name) {
    if (!status) return;
    status.textContent = messages[`connection.${name}`] || "";
    status.dataset.state = name;
  }
  let source = null;
  let retry = null;
  function receive(event) {
    const change = applyEvent(state, event);
    if (!change) return;
    collect(change);
    schedule([...change.ideas.map((id) => `i:${id}`), ...change.teams.map((id) => `t:${id}`)]);
  }
  function connect() {
    window.clearTimeout(retry);
    if (source) source.close();
    const url = new URL(root.dataset.streamUrl, window.location.href);
    url.searchParams.set("after", String(state.seq));
    connection("connecting");
    source = new EventSource(url);
    source.addEventListener("open", () => connection("open"));
    source.addEventListener("message", (message) => {
      let event;
      try { event = JSON.parse(message.data); } catch { return; }
      receive(event);
    });
    source.addEventListener("online", (message) => {
      try { state.online = JSON.parse(message.data).online; } catch { return; }
      twin.online(state.online);
    });
    source.addEventListener("reload", () => reload());
    source.addEventListener("error", () => {
      connection("lost");
      // The browser retries by itself unless the server refused; then try again later.
      if (source.readyState === EventSource.CLOSED) retry = window.setTimeout(connect, RETRY_CLOSED);
    });
  }
  async function reload() {
    // The server cannot fill the gap: start again from a fresh snapshot.
    if (source) source.close();
    connection("reload");
    try {
      const response = await fetch(root.dataset.snapshotUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const online = state.online;
      state = fromSnapshot(await response.json(), urls);
      state.online = online;
      render({ animate: false });
      connect();
    } catch {
      connection("lost");
      retry = window.setTimeout(reload, RETRY_CLOSED);
    }
  }

  // --- Projector mode: full screen, large type, high contrast; ?projector=1 opens in it.
  const projector = root.querySelector('[data-live="projector"]');
  function setProjector(on) {
    root.classList.toggle("is-projector", on);
    document.body.classList.toggle("projector-mode", on);
    if (projector) projector.setAttribute("aria-pressed", String(on));
    const url = new URL(window.location.href);
    if (on) url.searchParams.set("projector", "1");
    else url.searchParams.delete("projector");
    window.history.replaceState(window.history.state, "", url);
  }
  if (projector) {
    projector.hidden = false;
    projector.addEventListener("click", async () => {
      const on = !root.classList.contains("is-projector");
      setProjector(on);
      try {
        if (on && document.documentElement.requestFullscreen && !document.fullscreenElement) await document.documentElement.requestFullscreen();
        else if (!on && document.fullscreenElement) await document.exitFullscreen();
      } catch {
        // Full screen refused (an embedded page, a browser setting): the mode works without it.
      }
    });
  }
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && root.classList.contains("is-projector")) setProjector(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !root.classList.contains("is-projector")) return;
    // Browsers leave full screen on Escape themselves (fullscreenchange above); this covers a
    // projector mode without full screen, and an Escape that reaches the page in full screen.
    if (document.fullscreenElement) document.exitFullscreen().catch(() => setProjector(false));
    else setProjector(false);
  });
  if (root.classList.contains("is-projector")) document.body.classList.add("projector-mode");

  // Countdown and relative times follow the clock.
  window.setInterval(() => twin.clock(state, Date.now()), 1000);
  window.setInterval(() => twin.ticker(state, Date.now()), 30_000);

  render({ animate: false });
  connect();
  root.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
