// The accessible twin: the graph's information as lists and tables. The server renders them
// once (templates/live/dashboard.html); these functions keep them current from the state.
// Rows are kept by key, so that an unchanged row (and a link with keyboard focus in it) stays.

import { counters, topIdeas, visibleIdeas, visibleLinks, clockAt } from "./state.js";
import { ago, countdown, format, number, sentence, time } from "./text.js";

const TICKER = 12;

/** Make `list`'s children match `items` by key; `fill(el, item)` writes a new or changed
 * element (its `sig` differs from the last one written). */
export function syncList(list, items, { key, sig, fill, empty, tag = "li" }) {
  if (!list) return;
  const old = new Map();
  for (const el of [...list.children]) {
    if (el.dataset.key !== undefined) old.set(el.dataset.key, el);
    else el.remove();
  }
  let previous = null;
  for (const item of items) {
    const k = String(key(item));
    const signature = sig(item);
    let el = old.get(k);
    if (el) old.delete(k);
    else {
      el = document.createElement(tag);
      el.dataset.key = k;
    }
    if (el.liveSig !== signature) {
      el.replaceChildren();
      fill(el, item);
      el.liveSig = signature;
    }
    const wanted = previous ? previous.nextSibling : list.firstChild;
    if (el !== wanted) list.insertBefore(el, wanted);
    previous = el;
  }
  for (const el of old.values()) el.remove();
  if (!items.length && empty) {
    const el = document.createElement(tag);
    el.className = "muted live-empty";
    el.textContent = empty;
    list.append(el);
  }
}

function el(tag, { className, text, href } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  if (href) node.setAttribute("href", href);
  return node;
}

function titleOf(messages, item) {
  return item.title == null ? messages.hidden : item.title;
}

function ideaLink(messages, item) {
  return item.url ? el("a", { href: item.url, text: titleOf(messages, item) }) : el("span", { text: titleOf(messages, item) });
}

function ideaCounts(messages, item) {
  return format(messages["idea.counts"], { supports: number(item.supports), comments: number(item.comments) });
}

export class Twin {
  constructor(root, messages) {
    this.root = root;
    this.messages = messages;
    this.q = (name) => root.querySelector(`[data-live="${name}"]`);
  }

  /** Bring every list up to `state` at the moment `now` (ms); `animate` false marks nothing as
   * new (a seek, a reload). */
  render(state, now, { animate = true } = {}) {
    this.animate = animate;
    const numbers = counters(state);
    this.figures(numbers.total);
    this.online(state.online);
    this.table(state, numbers);
    this.top(state);
    this.ticker(state, now);
    this.themes(state);
    this.groups(state);
    this.announcements(state);
    this.clock(state, now);
  }

  figures(total) {
    for (const key of ["ideas", "comments", "supports", "teams"]) {
      const target = this.q(`total-${key}`);
      if (target) target.textContent = number(total[key]);
    }
  }

  online(count) {
    const target = this.q("online");
    if (target) target.textContent = count == null || count < 0 ? "–" : number(count);
  }

  table(state, numbers) {
    const keys = ["ideas", "comments", "supports", "teams", "prototypes"];
    const body = this.q("challenges");
    const table = body && body.closest("table");
    const labels = table ? [...table.querySelectorAll("thead th")].slice(1).map((th) => th.textContent.trim()) : [];
    syncList(this.q("challenges"), state.challenges, {
      tag: "tr",
      key: (c) => c.id,
      sig: (c) => `${c.title}|${keys.map((k) => numbers.byChallenge.get(c.id)[k]).join(",")}`,
      fill: (row, c) => {
        const head = el("th");
        head.setAttribute("scope", "row");
        const swatch = el("span", { className: `live-swatch c-${c.index % 8}` });
        swatch.setAttribute("aria-hidden", "true");
        head.append(swatch, c.url ? el("a", { href: c.url, text: c.title }) : c.title);
        row.append(head);
        keys.forEach((k, i) => {
          const cell = el("td", { className: "num", text: number(numbers.byChallenge.get(c.id)[k]) });
          if (labels[i]) cell.dataset.label = labels[i];
          row.append(cell);
        });
      },
    });
    const total = this.q("total");
    if (total) {
      const cells = total.querySelectorAll("td");
      keys.forEach((k, i) => { if (cells[i]) cells[i].textContent = number(numbers.total[k]); });
    }
  }

  top(state) {
    const m = this.messages;
    const challenge = (id) => (state.challenges.find((c) => c.id === id) || {}).title || "";
    syncList(this.q("top"), topIdeas(state), {
      key: (i) => i.id,
      sig: (i) => `${i.title}|${i.supports}|${i.comments}|${i.challenge}`,
      fill: (li, i) => {
        li.append(ideaLink(m, i), " ", el("span", { className: "live-meta", text: `${challenge(i.challenge)} · ${ideaCounts(m, i)}` }));
      },
      empty: m["empty.ideas"],
    });
  }

  ticker(state, now) {
    const m = this.messages;
    const told = [];
    for (let i = state.recent.length - 1; i >= 0 && told.length < TICKER; i -= 1) {
      const event = state.recent[i];
      const text = sentence(m, state, event);
      if (text) told.push({ event, text });
    }
    syncList(this.q("ticker"), told, {
      key: (t) => t.event.seq,
      sig: (t) => `${t.text}|${ago(Date.parse(t.event.at), now)}`,
      fill: (li, t) => {
        const moment = Date.parse(t.event.at);
        const stamp = el("time", { className: "live-time", text: ago(moment, now) });
        stamp.setAttribute("datetime", t.event.at);
        stamp.setAttribute("title", time(moment));
        // Mark only what arrives after the page showed its first list.
        const fresh = this.tickerShown && this.animate !== false && li.liveSig === undefined;
        li.className = `live-tick${fresh ? " is-new" : ""}`;
        li.append(el("span", { className: "live-sentence", text: t.text }), " ", stamp);
      },
      empty: m["empty.activity"],
    });
    this.tickerShown = true;
  }

  themes(state) {
    syncList(this.q("themes"), state.themes, {
      key: (t) => t.label,
      sig: (t) => `${t.size}`,
      fill: (li, t) => {
        li.append(el("span", { className: "live-theme-label", text: t.label }), " ", el("span", { className: "live-theme-size", text: number(t.size) }));
      },
      empty: this.messages["empty.themes"],
    });
  }

  groups(state) {
    const m = this.messages;
    const container = this.q("groups");
    if (!container) return;
    const ideas = visibleIdeas(state);
    const titles = new Map(ideas.map((i) => [i.id, titleOf(m, i)]));
    const buildsOn = new Map();
    for (const link of visibleLinks(state)) {
      if (!buildsOn.has(link.source)) buildsOn.set(link.source, []);
      buildsOn.get(link.source).push(titles.get(link.target));
    }
    const teamsOf = new Map();
    for (const team of state.teams.values()) {
      for (const id of team.ideas) {
        if (!teamsOf.has(id)) teamsOf.set(id, []);
        teamsOf.get(id).push(team.name);
      }
    }
    syncList(container, state.challenges, {
      tag: "section",
      key: (c) => c.id,
      sig: (c) => c.title,
      fill: (section, c) => {
        section.className = "live-group";
        section.setAttribute("aria-labelledby", `group-${c.id}`);
        const heading = el("h3", { text: c.title });
        heading.id = `group-${c.id}`;
        const ideaList = el("ul", { className: "live-idea-list" });
        ideaList.dataset.live = "group-ideas";
        const teamList = el("ul", { className: "live-team-list" });
        teamList.dataset.live = "group-teams";
        section.append(heading, el("h4", { text: m["heading.ideas"] }), ideaList, el("h4", { text: m["heading.teams"] }), teamList);
      },
    });
    for (const section of container.children) {
      const id = Number(section.dataset.key);
      const meta = (i) => {
        const parts = [ideaCounts(m, i)];
        if (i.status !== "open") parts.push(m[`status.${i.status}`] || i.status);
        for (const target of buildsOn.get(i.id) || []) parts.push(format(m["idea.builds_on"], { target }));
        if (i.mergedInto != null && titles.has(i.mergedInto)) parts.push(format(m["idea.merged_into"], { target: titles.get(i.mergedInto) }));
        for (const team of teamsOf.get(i.id) || []) parts.push(format(m["idea.teams"], { team }));
        return parts.join(" · ");
      };
      syncList(section.querySelector('[data-live="group-ideas"]'), ideas.filter((i) => i.challenge === id), {
        key: (i) => i.id,
        sig: (i) => `${titleOf(m, i)}|${meta(i)}`,
        fill: (li, i) => li.append(ideaLink(m, i), " ", el("span", { className: "live-meta", text: meta(i) })),
        empty: m["empty.ideas"],
      });
      const teams = [...state.teams.values()].filter((t) => t.challenge === id).sort((a, b) => a.id - b.id);
      const teamMeta = (t) => {
        const parts = [format(m["team.members"], { n: number(t.members) })];
        if (t.prototype) parts.push(t.prototype.status === "submitted" ? m["prototype.submitted.short"] : m["prototype.draft.short"]);
        const names = t.ideas.filter((i) => titles.has(i)).map((i) => titles.get(i));
        if (names.length) parts.push(format(m["team.ideas"], { title: names.join(", ") }));
        return parts.join(" · ");
      };
      syncList(section.querySelector('[data-live="group-teams"]'), teams, {
        key: (t) => t.id,
        sig: (t) => `${t.name}|${teamMeta(t)}`,
        fill: (li, t) => li.append(t.url ? el("a", { href: t.url, text: t.name }) : el("span", { text: t.name }), " ", el("span", { className: "live-meta", text: teamMeta(t) })),
        empty: m["empty.teams"],
      });
    }
  }

  announcements(state) {
    const box = this.q("announcements-box");
    syncList(this.q("announcements"), state.announcements, {
      key: (a) => a.id,
      sig: (a) => a.text,
      fill: (li, a) => { li.textContent = a.text; },
    });
    if (box) box.hidden = state.announcements.length === 0;
  }

  clock(state, now) {
    const m = this.messages;
    const clock = clockAt(state, now);
    const phase = this.q("phase");
    if (phase) phase.textContent = clock.phase ? clock.phase.title : m.no_phase;
    const manual = this.q("manual");
    if (manual) manual.hidden = !clock.manual;
    const line = this.q("countdown-line");
    if (!line) return clock;
    line.hidden = clock.until == null;
    if (clock.until != null) {
      this.q("countdown-label").textContent = clock.phase ? m.time_left : format(m.until, { phase: clock.next.title });
      this.q("countdown").textContent = countdown(m, clock.until - now);
    }
    return clock;
  }
}
