// The network of an edition, drawn with d3-force as SVG: challenges as labelled hubs, ideas as
// circles in their challenge's colour (area grows with supports), builds-on links as arrows,
// merges as dashed lines, teams as rounded squares tied to their ideas (filled when their
// prototype is submitted). Nodes keep their places between updates; new and changed ones are
// briefly marked. The SVG is one image with a summary as its name: the lists and tables of the
// page are its accessible equivalent, so its hundreds of nodes take no keyboard focus.

import { topIdeas, visibleIdeas, visibleLinks } from "./state.js";
import { format, number } from "./text.js";

const d3 = window.d3;
const HUB_R = 24;
const TEAM_R = 8;
const LABELLED = 5;

function ideaRadius(supports) {
  return Math.min(36, 6 + 3.5 * Math.sqrt(Math.max(0, supports)));
}

function truncate(text, max) {
  const value = text || "";
  return value.length > max ? `${value.slice(0, max - 1).trimEnd()}…` : value;
}

// Break a label into at most two lines of about `width` characters.
function lines(text, width) {
  const words = (text || "").split(/\s+/);
  const result = [""];
  for (const word of words) {
    const line = result[result.length - 1];
    if (!line || (line + " " + word).length <= width) result[result.length - 1] = line ? `${line} ${word}` : word;
    else if (result.length < 2) result.push(word);
    else { result[1] = truncate(`${result[1]} ${word}`, width); break; }
  }
  return result.map((l) => truncate(l, width + 2));
}

// A stable small offset per id, so a new node starts near its hub but not on top of another.
function jitter(id, salt) {
  const x = Math.sin(id * 12.9898 + salt * 78.233) * 43758.5453;
  return (x - Math.floor(x) - 0.5) * 60;
}

export class Graph {
  constructor(container, { messages, reducedMotion = false }) {
    this.container = container;
    this.messages = messages;
    this.reduced = reducedMotion;
    this.nodes = new Map();
    this.width = 0;
    this.height = 0;
    this.state = null;

    this.svg = d3.select(container).append("svg").attr("class", "live-svg").attr("role", "img").attr("focusable", "false");
    const defs = this.svg.append("defs");
    defs.append("marker").attr("id", "live-arrow").attr("viewBox", "0 0 10 10").attr("refX", 9).attr("refY", 5)
      .attr("markerWidth", 7).attr("markerHeight", 7).attr("orient", "auto-start-reverse")
      .append("path").attr("d", "M0,0L10,5L0,10z").attr("class", "live-arrow-head");
    this.layers = {};
    for (const name of ["hubLinks", "teamLinks", "relations", "pulses", "ideas", "teams", "hubs", "labels"]) {
      this.layers[name] = this.svg.append("g").attr("class", `layer-${name}`);
    }
    this.tooltip = d3.select(container).append("div").attr("class", "live-tooltip").attr("aria-hidden", "true");
    this.tooltip.node().hidden = true;

    this.simulation = d3.forceSimulation()
      .force("link", d3.forceLink().id((d) => d.id).distance((l) => l.distance).strength((l) => l.strength))
      .force("charge", d3.forceManyBody().strength((d) => (d.kind === "challenge" ? -260 : -22)).distanceMax(240))
      .force("collide", d3.forceCollide((d) => d.r + 2).iterations(2))
      .force("x", d3.forceX((d) => d.ax || 0).strength((d) => (d.kind === "challenge" ? 0 : 0.07)))
      .force("y", d3.forceY((d) => d.ay || 0).strength((d) => (d.kind === "challenge" ? 0 : 0.07)))
      .alphaDecay(0.035)
      .on("tick", () => this.draw());
    this.simulation.stop();

    this.measure();
    if (window.ResizeObserver) {
      this.resizer = new ResizeObserver(() => {
        if (this.measure() && this.state) this.update(this.state, { animate: false, settle: 60 });
      });
      this.resizer.observe(container);
    }
  }

  measure() {
    // On a phone the layout keeps the room of a small desktop (at least 520 units wide) and the
    // SVG scales it down: a large edition stays readable as a whole instead of piling up at the
    // edges of a narrow box. The lists below carry the details.
    const pixels = Math.max(1, this.container.clientWidth);
    const scale = Math.max(1, 520 / pixels);
    const width = Math.round(pixels * scale);
    const height = Math.max(240, Math.round(this.container.clientHeight * scale));
    if (width === this.width && height === this.height) return false;
    this.width = width;
    this.height = height;
    this.svg.attr("viewBox", [-width / 2, -height / 2, width, height].join(" "));
    return true;
  }

  anchor(index, count) {
    if (count <= 1) return { x: 0, y: 0 };
    // Two hubs side by side (or one above the other on a canvas higher than wide), more around
    // an ellipse.
    const first = count === 2 ? (this.width >= this.height ? Math.PI : -Math.PI / 2) : -Math.PI / 2;
    const angle = first + (2 * Math.PI * index) / count;
    return { x: Math.cos(angle) * this.width * 0.31, y: Math.sin(angle) * this.height * 0.3 };
  }

  /** Draw `state`. `animate` false places the nodes at once (a replay's seek, a reload);
   * `changed` is a list of "i:<id>"/"t:<id>" to mark. */
  update(state, { animate = true, changed = [], settle = 300 } = {}) {
    this.state = state;
    const m = this.messages;
    const count = state.challenges.length;
    const anchors = new Map();
    const previous = this.nodes;
    const next = new Map();
    let added = 0;

    state.challenges.forEach((c, i) => {
      const a = this.anchor(i, count);
      anchors.set(c.id, a);
      const node = previous.get(`c:${c.id}`) || { id: `c:${c.id}`, kind: "challenge", x: a.x, y: a.y };
      Object.assign(node, { fx: a.x, fy: a.y, ax: a.x, ay: a.y, r: HUB_R, index: c.index, title: c.title });
      next.set(node.id, node);
    });
    const ideas = visibleIdeas(state);
    for (const idea of ideas) {
      const a = anchors.get(idea.challenge) || { x: 0, y: 0 };
      let node = previous.get(`i:${idea.id}`);
      if (!node) {
        node = { id: `i:${idea.id}`, kind: "idea", x: a.x + jitter(idea.id, 1), y: a.y + jitter(idea.id, 2) };
        added += 1;
      }
      const index = (state.challenges.find((c) => c.id === idea.challenge) || { index: 0 }).index;
      Object.assign(node, { ax: a.x, ay: a.y, r: ideaRadius(idea.supports), index, idea, merged: idea.status === "merged" });
      next.set(node.id, node);
    }
    for (const team of state.teams.values()) {
      const a = anchors.get(team.challenge) || { x: 0, y: 0 };
      let node = previous.get(`t:${team.id}`);
      if (!node) {
        const first = next.get(`i:${team.ideas[0]}`);
        node = { id: `t:${team.id}`, kind: "team", x: (first ? first.x : a.x) + 12, y: (first ? first.y : a.y) + 12 };
        added += 1;
      }
      Object.assign(node, { ax: a.x, ay: a.y, r: TEAM_R, team, submitted: Boolean(team.prototype && team.prototype.status === "submitted") });
      next.set(node.id, node);
    }
    this.nodes = next;

    const links = [];
    // Ideas keep a distance from their hub that grows with the canvas.
    const spread = 30 + Math.min(this.width, this.height) * 0.1;
    for (const idea of ideas) {
      if (next.has(`c:${idea.challenge}`)) {
        links.push({ id: `h:${idea.id}`, kind: "hub", source: `i:${idea.id}`, target: `c:${idea.challenge}`, distance: spread + ideaRadius(idea.supports), strength: 0.12 });
      }
      if (idea.mergedInto != null && next.has(`i:${idea.mergedInto}`)) {
        links.push({ id: `m:${idea.id}`, kind: "merged", source: `i:${idea.id}`, target: `i:${idea.mergedInto}`, distance: 26, strength: 0.3 });
      }
    }
    for (const link of visibleLinks(state)) {
      links.push({ id: `b:${link.source}>${link.target}`, kind: "builds", source: `i:${link.source}`, target: `i:${link.target}`, distance: 60, strength: 0.08 });
    }
    for (const team of state.teams.values()) {
      for (const id of team.ideas) {
        if (next.has(`i:${id}`)) links.push({ id: `t:${team.id}>${id}`, kind: "team", source: `t:${team.id}`, target: `i:${id}`, distance: 24, strength: 0.5 });
      }
    }

    const moving = animate && !this.reduced;
    const labelled = new Set(topIdeas(state, LABELLED).filter((i) => i.supports > 0).map((i) => `i:${i.id}`));
    const titleOf = (idea) => (idea.title == null ? m.hidden : idea.title);

    this.hubLinks = this.layers.hubLinks.selectAll("line").data(links.filter((l) => l.kind === "hub"), (l) => l.id)
      .join("line").attr("class", "link-hub");
    this.teamLinks = this.layers.teamLinks.selectAll("line").data(links.filter((l) => l.kind === "team"), (l) => l.id)
      .join("line").attr("class", "link-team");
    this.relations = this.layers.relations.selectAll("line").data(links.filter((l) => l.kind === "builds" || l.kind === "merged"), (l) => l.id)
      .join("line").attr("class", (l) => `link-${l.kind}`).attr("marker-end", (l) => (l.kind === "builds" ? "url(#live-arrow)" : null));

    this.ideaNodes = this.layers.ideas.selectAll("g").data([...next.values()].filter((n) => n.kind === "idea"), (n) => n.id)
      .join((enter) => {
        const g = enter.append("g").attr("class", "node-idea");
        g.append("circle").attr("r", moving ? 0 : (n) => n.r);
        return g;
      })
      .attr("class", (n) => `node-idea c-${n.index % 8}${n.merged ? " is-merged" : ""}`)
      .attr("data-id", (n) => n.id);
    // Only circles whose size changed get a transition (hundreds at once would be costly).
    const resized = this.ideaNodes.filter((n) => n.shownR !== n.r).select("circle");
    if (moving) resized.transition().duration(700).attr("r", (n) => n.r);
    else resized.interrupt().attr("r", (n) => n.r);
    this.ideaNodes.each((n) => { n.shownR = n.r; });

    this.teamNodes = this.layers.teams.selectAll("g").data([...next.values()].filter((n) => n.kind === "team"), (n) => n.id)
      .join((enter) => {
        const g = enter.append("g").attr("class", "node-team");
        g.append("rect").attr("x", -TEAM_R).attr("y", -TEAM_R).attr("width", TEAM_R * 2).attr("height", TEAM_R * 2).attr("rx", 3);
        return g;
      })
      .attr("class", (n) => `node-team${n.submitted ? " is-submitted" : ""}`)
      .attr("data-id", (n) => n.id);

    this.hubNodes = this.layers.hubs.selectAll("g").data([...next.values()].filter((n) => n.kind === "challenge"), (n) => n.id)
      .join((enter) => {
        const g = enter.append("g").attr("class", "node-hub");
        g.append("circle").attr("r", HUB_R);
        return g;
      })
      .attr("class", (n) => `node-hub c-${n.index % 8}`);

    const labels = [
      ...[...next.values()].filter((n) => n.kind === "challenge").map((n) => ({ id: n.id, node: n, kind: "hub", lines: lines(n.title, 22) })),
      ...[...labelled].filter((id) => next.has(id)).map((id) => ({ id, node: next.get(id), kind: "idea", lines: [truncate(titleOf(next.get(id).idea), 30)] })),
    ];
    this.labels = this.layers.labels.selectAll("text").data(labels, (l) => `${l.id}|${l.lines.join("/")}`)
      .join((enter) => {
        const text = enter.append("text").attr("class", (l) => `label-${l.kind}`);
        text.each(function (l) {
          l.lines.forEach((line, i) => d3.select(this).append("tspan").attr("dy", i ? "1.15em" : 0).text(line));
        });
        return text;
      });
    // Measure the labels (few: the hubs and the top ideas) to keep them inside the canvas.
    this.labels.each(function (l) {
      try { l.width = this.getBBox().width; } catch { l.width = 0; }
    });

    const all = [...next.values()];
    this.bindTooltips();
    this.svg.attr("aria-label", format(m["graph.label"], {
      challenges: number(count), ideas: number(ideas.filter((i) => i.status !== "merged").length), teams: number(state.teams.size),
    }));

    this.simulation.nodes(all);
    this.simulation.force("link").links(links);
    if (moving) {
      this.simulation.alpha(Math.max(this.simulation.alpha(), added ? 0.35 : 0.12)).restart();
    } else {
      this.simulation.stop();
      const fresh = previous.size === 0 || added > 20;
      this.simulation.alpha(fresh ? 1 : 0.3);
      for (let i = 0; i < (fresh ? settle : Math.min(settle, 40)); i += 1) this.simulation.tick();
      this.draw();
    }
    this.mark(changed);
  }

  draw() {
    const w = this.width / 2;
    const h = this.height / 2;
    for (const n of this.nodes.values()) {
      if (n.kind === "challenge") continue;
      n.x = Math.max(-w + n.r + 2, Math.min(w - n.r - 2, n.x));
      n.y = Math.max(-h + n.r + 2, Math.min(h - n.r - 2, n.y));
    }
    const line = (sel) => sel.attr("x1", (l) => l.source.x).attr("y1", (l) => l.source.y).attr("x2", (l) => l.target.x).attr("y2", (l) => l.target.y);
    if (this.hubLinks) line(this.hubLinks);
    if (this.teamLinks) line(this.teamLinks);
    if (this.relations) {
      // End an arrow at the target's edge, not under it.
      this.relations.attr("x1", (l) => l.source.x).attr("y1", (l) => l.source.y)
        .attr("x2", (l) => { const dx = l.target.x - l.source.x; const dy = l.target.y - l.source.y; const len = Math.hypot(dx, dy) || 1; return l.target.x - (dx / len) * (l.target.r + 2); })
        .attr("y2", (l) => { const dx = l.target.x - l.source.x; const dy = l.target.y - l.source.y; const len = Math.hypot(dx, dy) || 1; return l.target.y - (dy / len) * (l.target.r + 2); });
    }
    const place = (n) => `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`;
    if (this.ideaNodes) this.ideaNodes.attr("transform", place);
    if (this.teamNodes) this.teamNodes.attr("transform", place);
    if (this.hubNodes) this.hubNodes.attr("transform", place);
    if (this.labels) {
      // An idea's label goes right of it, or left where it would leave the canvas; a hub's
      // stays under it, moved in from the edge.
      const leftward = (l) => {
        if (l.kind !== "idea") return false;
        const right = w - (l.node.x + l.node.r + 4 + (l.width || 0));
        const left = (l.node.x - l.node.r - 4 - (l.width || 0)) + w;
        return right < 4 && left > right;
      };
      const hubX = (l) => Math.max(-w + (l.width || 0) / 2 + 4, Math.min(w - (l.width || 0) / 2 - 4, l.node.x));
      this.labels.attr("text-anchor", (l) => (l.kind === "hub" ? "middle" : leftward(l) ? "end" : "start"));
      this.labels.attr("transform", (l) => (l.kind === "hub"
        ? `translate(${hubX(l).toFixed(1)},${(l.node.y + HUB_R + 14).toFixed(1)})`
        : `translate(${(leftward(l) ? l.node.x - l.node.r - 4 : l.node.x + l.node.r + 4).toFixed(1)},${(l.node.y + 4).toFixed(1)})`));
      this.labels.selectAll("tspan").attr("x", 0);
    }
  }

  /** Briefly ring the nodes that just changed (a steady ring when motion is reduced). */
  mark(ids) {
    const nodes = [...new Set(ids)].map((id) => this.nodes.get(id)).filter(Boolean);
    if (!nodes.length) return;
    const rings = this.layers.pulses.selectAll(null).data(nodes).enter().append("circle")
      .attr("class", "pulse").attr("cx", (n) => n.x).attr("cy", (n) => n.y).attr("r", (n) => n.r + 3);
    if (this.reduced) {
      setTimeout(() => rings.remove(), 1500);
    } else {
      rings.transition().duration(1400).ease(d3.easeCubicOut).attr("r", (n) => n.r + 18).style("opacity", 0).remove();
    }
  }

  bindTooltips() {
    const m = this.messages;
    const tip = this.tooltip;
    const text = (n) => {
      if (n.kind === "challenge") return n.title;
      if (n.kind === "team") return format(m["tooltip.team"], { team: n.team.name, n: number(n.team.members) });
      return format(m["tooltip.idea"], {
        title: n.idea.title == null ? m.hidden : n.idea.title, supports: number(n.idea.supports), comments: number(n.idea.comments),
      });
    };
    const show = (event, n) => {
      const box = this.container.getBoundingClientRect();
      tip.text(text(n));
      tip.node().hidden = false;
      const x = Math.min(event.clientX - box.left + 12, box.width - tip.node().offsetWidth - 4);
      tip.style("left", `${Math.max(4, x)}px`).style("top", `${event.clientY - box.top + 12}px`);
    };
    const hide = () => { tip.node().hidden = true; };
    for (const sel of [this.ideaNodes, this.teamNodes, this.hubNodes]) {
      if (sel) sel.on("pointerenter pointermove", show).on("pointerleave", hide);
    }
  }

  destroy() {
    this.simulation.stop();
    if (this.resizer) this.resizer.disconnect();
  }
}
