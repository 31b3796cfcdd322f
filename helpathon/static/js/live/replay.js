// The replay: load the edition's whole event log (page by page), then play it back into the
// same graph and lists as the live dashboard, at a chosen speed, with a time slider that seeks.
// Quiet stretches are shortened: whatever the speed, the next event comes within GAP of real time.

import { applyEvent, emptyFrom } from "./state.js";
import { Graph } from "./graph.js";
import { Twin } from "./twin.js";
import { dateAndTime, format, loadMessages, number } from "./text.js";

const GAP = 2000;
const FRAME_BUDGET = 12;

function start() {
  const root = document.getElementById("live");
  const data = document.getElementById("live-snapshot");
  if (!root || !data) return;
  const messages = loadMessages(root);
  const snapshot = JSON.parse(data.textContent);
  const urls = { idea: root.dataset.ideaUrl, team: root.dataset.teamUrl };
  const q = (name) => root.querySelector(`[data-live="${name}"]`);
  const twin = new Twin(root, messages);
  const graphBox = q("graph");
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const graph = window.d3 && graphBox ? new Graph(graphBox, { messages, reducedMotion }) : null;

  const status = q("replay-status");
  const progress = q("replay-progress");
  const play = q("play");
  const speedSelect = q("speed");
  const slider = q("position");
  const clockText = q("replay-clock");

  let events = [];
  let times = [];
  let state = emptyFrom(snapshot, urls);
  let index = 0; // the next event to apply
  let clock = Date.now();
  let playing = false;
  let last = 0;
  let lastSeq = 0;
  let step = 1;

  function say(text, name = "") {
    status.textContent = text;
    status.dataset.state = name;
  }

  function first() { return times.length ? times[0] : clock; }
  function end() { return times.length ? times[times.length - 1] : clock; }

  function showClock() {
    twin.clock(state, clock);
    clockText.textContent = dateAndTime(clock);
    clockText.setAttribute("datetime", new Date(clock).toISOString());
    if (!times.length) return;
    slider.value = String(Math.round((clock - first()) / 1000 / step) * step);
    slider.setAttribute("aria-valuetext", `${dateAndTime(clock)} — ${format(messages["replay.position"], { n: number(index), total: number(events.length) })}`);
  }

  function render(animate, marks = []) {
    twin.render(state, clock, { animate });
    if (graph) graph.update(state, { animate, changed: marks });
    showClock();
  }

  function button() {
    const key = playing ? "replay.pause" : index >= events.length && events.length ? "replay.again" : "replay.play";
    play.textContent = messages[key];
    play.setAttribute("aria-pressed", String(playing));
  }

  /** Apply the events up to and including the moment `until` (ms); the marks of what changed. */
  function applyUntil(until, budget = Infinity) {
    const marks = [];
    const began = performance.now();
    while (index < events.length && times[index] <= until) {
      const change = applyEvent(state, events[index]);
      index += 1;
      if (change) marks.push(...change.ideas.map((id) => `i:${id}`), ...change.teams.map((id) => `t:${id}`));
      if (performance.now() - began > budget) break;
    }
    return marks;
  }

  function seek(moment) {
    state = emptyFrom(snapshot, urls);
    index = 0;
    clock = Math.max(first(), Math.min(end(), moment));
    applyUntil(clock);
    render(false);
    button();
    if (status.dataset.state === "ended") say("");
  }

  function speed() {
    return speedSelect.value === "max" ? Infinity : Number(speedSelect.value) || 1;
  }

  function frame(now) {
    if (!playing) return;
    const elapsed = Math.min(250, now - last);
    last = now;
    let marks;
    const factor = speed();
    if (factor === Infinity) {
      marks = applyUntil(Infinity, FRAME_BUDGET);
      clock = index ? times[index - 1] : first();
    } else {
      clock += elapsed * factor;
      if (index < events.length && times[index] - clock > GAP * factor) clock = times[index] - GAP * factor;
      marks = applyUntil(clock);
    }
    if (index >= events.length) {
      clock = end();
      playing = false;
      render(true, marks);
      button();
      more();
      return;
    }
    if (marks.length) render(true, marks);
    else showClock();
    window.requestAnimationFrame(frame);
  }

  function toggle() {
    if (!events.length) return;
    if (playing) {
      playing = false;
    } else {
      if (index >= events.length) seek(first() - 1);
      playing = true;
      say("");
      last = performance.now();
      window.requestAnimationFrame(frame);
    }
    button();
  }

  async function page(after) {
    const url = new URL(root.dataset.logUrl, window.location.href);
    url.searchParams.set("after", String(after));
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  function add(batch) {
    for (const event of batch) {
      const moment = Date.parse(event.at);
      // The log is in commit order; keep the clock from running backwards on equal moments.
      times.push(Math.max(times.length ? times[times.length - 1] : moment, Number.isNaN(moment) ? 0 : moment));
      events.push(event);
      lastSeq = event.seq;
    }
  }

  function scale() {
    const span = Math.max(1, Math.ceil((end() - first()) / 1000));
    // About five hundred steps over the whole recording, so that arrow keys move visibly.
    step = Math.max(1, Math.round(span / 500));
    slider.max = String(span);
    slider.step = String(step);
    q("replay-start").textContent = dateAndTime(first());
    q("replay-end").textContent = dateAndTime(end());
  }

  // During the event the log grows: at the end of a playback, fetch what came since.
  async function more() {
    try {
      const result = await page(lastSeq);
      if (result.events && result.events.length) {
        add(result.events);
        scale();
        say(format(messages["replay.loaded"], { n: number(events.length) }));
        button();
        return;
      }
    } catch {
      // The recording so far stays playable.
    }
    say(messages["replay.ended"], "ended");
  }

  async function load() {
    try {
      let after = 0;
      for (;;) {
        const result = await page(after);
        add(result.events || []);
        progress.max = Math.max(1, result.last || events.length);
        progress.value = events.length;
        say(format(messages["replay.loading"], { n: number(events.length), total: number(result.last || events.length) }));
        if (result.next == null) break;
        after = result.next;
      }
    } catch {
      progress.hidden = true;
      say(messages["replay.failed"], "failed");
      return;
    }
    progress.hidden = true;
    if (!events.length) {
      say(messages["replay.empty"], "empty");
      render(false);
      root.dataset.ready = "true";
      return;
    }
    scale();
    clock = first();
    render(false);
    for (const control of [play, speedSelect, slider]) control.disabled = false;
    button();
    say(format(messages["replay.loaded"], { n: number(events.length) }), "ready");
    root.dataset.ready = "true";
  }

  play.addEventListener("click", toggle);
  let seeking = null;
  slider.addEventListener("input", () => {
    const moment = first() + Number(slider.value) * 1000;
    if (seeking == null) {
      seeking = window.requestAnimationFrame(() => {
        seeking = null;
        seek(first() + Number(slider.value) * 1000);
      });
    }
    clock = moment;
  });
  speedSelect.addEventListener("change", () => { last = performance.now(); });

  render(false);
  load();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
