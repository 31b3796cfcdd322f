// The live view's state and the one reducer that moves it on, shared by the dashboard and the
// replay. No DOM, no network, no clock: the same events applied to the same state give the same
// result, whether they come from the stream or from the log.
//
// applyEvent changes the state in place and returns what changed. (A replay that seeks rebuilds
// the state from thousands of events; copying maps for each would make a seek quadratic.)

const RECENT = 40;
const ANNOUNCEMENTS = 5;

function challengeList(snapshot) {
  return (snapshot.challenges || []).map((c, index) => ({ ...c, index }));
}

function base(snapshot, urls) {
  return {
    seq: 0,
    edition: snapshot.edition || {},
    agenda: (snapshot.agenda || []).map((p) => ({ ...p, start: Date.parse(p.starts_at), end: Date.parse(p.ends_at) })),
    challenges: challengeList(snapshot),
    phase: null,
    manual: false,
    ideas: new Map(),
    links: new Map(),
    themes: [],
    teams: new Map(),
    announcements: [],
    recent: [],
    online: null,
    urls: urls || {},
  };
}

function linkKey(source, target) {
  return `${source}>${target}`;
}

function urlFor(template, id) {
  return template ? template.replace(/\/0\/$/, `/${id}/`) : "";
}

/** The state a snapshot describes (the dashboard starts here). `urls` holds `idea` and `team`
 * address templates ending in /0/. */
export function fromSnapshot(snapshot, urls) {
  const state = base(snapshot, urls);
  state.seq = snapshot.seq || 0;
  state.phase = snapshot.phase || null;
  state.manual = Boolean(snapshot.manual);
  for (const idea of snapshot.ideas || []) {
    state.ideas.set(idea.id, {
      id: idea.id, challenge: idea.challenge, title: idea.title, status: idea.status,
      supports: idea.supports || 0, comments: idea.comments || 0, mergedInto: idea.merged_into || null,
      hidden: false, url: idea.url || urlFor(state.urls.idea, idea.id),
    });
  }
  for (const link of snapshot.links || []) {
    if (link.kind === "builds_on") state.links.set(linkKey(link.source, link.target), { source: link.source, target: link.target });
  }
  state.themes = (snapshot.themes || []).slice();
  for (const team of snapshot.teams || []) {
    state.teams.set(team.id, {
      id: team.id, challenge: team.challenge, name: team.name, ideas: (team.ideas || []).slice(),
      members: team.members || 0, prototype: team.prototype ? { ...team.prototype } : null,
      url: team.url || urlFor(state.urls.team, team.id),
    });
  }
  state.announcements = (snapshot.announcements || []).slice(0, ANNOUNCEMENTS);
  state.recent = (snapshot.recent || []).slice(-RECENT);
  return state;
}

/** A state with the edition's challenges and agenda only: a replay's start, which the log's
 * events then fill. */
export function emptyFrom(snapshot, urls) {
  return base(snapshot, urls);
}

function idea(state, id) {
  return state.ideas.get(id);
}

/** Apply one wire event ({seq, type, at, data}). Events at or before the state's number are
 * skipped (a reconnect may repeat them). Returns null when skipped, else what changed:
 * {event, ideas: [ids], teams: [ids], added: {ideas, comments, supports, teams, prototypes}}. */
export function applyEvent(state, event) {
  if (!event || typeof event.seq !== "number" || event.seq <= state.seq) return null;
  state.seq = event.seq;
  const d = event.data || {};
  const change = { event, ideas: [], teams: [], added: { ideas: 0, comments: 0, supports: 0, teams: 0, prototypes: 0 } };
  const touch = (id) => { if (id != null) change.ideas.push(id); };
  switch (event.type) {
    case "idea.created": {
      const old = idea(state, d.idea);
      state.ideas.set(d.idea, {
        id: d.idea, challenge: d.challenge, title: d.title ?? null, status: d.status || "open",
        supports: old ? old.supports : 0, comments: old ? old.comments : 0, mergedInto: old ? old.mergedInto : null,
        hidden: false, url: urlFor(state.urls.idea, d.idea),
      });
      for (const target of d.builds_on || []) state.links.set(linkKey(d.idea, target), { source: d.idea, target });
      if (!old) change.added.ideas = 1;
      touch(d.idea);
      break;
    }
    case "idea.edited":
    case "idea.restored": {
      const item = idea(state, d.idea);
      if (item) {
        if ("title" in d) item.title = d.title ?? null;
        if (d.challenge != null) item.challenge = d.challenge;
        if (d.status) item.status = d.status;
        if (event.type === "idea.restored") item.hidden = false;
      } else if (event.type === "idea.restored") {
        state.ideas.set(d.idea, {
          id: d.idea, challenge: d.challenge, title: d.title ?? null, status: d.status || "open",
          supports: 0, comments: 0, mergedInto: null, hidden: false, url: urlFor(state.urls.idea, d.idea),
        });
      }
      touch(d.idea);
      break;
    }
    case "idea.hidden": {
      const item = idea(state, d.idea);
      if (item) item.hidden = true;
      touch(d.idea);
      break;
    }
    case "idea.linked":
      if (d.kind === "builds_on") state.links.set(linkKey(d.idea, d.target), { source: d.idea, target: d.target });
      touch(d.idea);
      break;
    case "idea.unlinked":
      if (d.kind === "builds_on") state.links.delete(linkKey(d.idea, d.target));
      touch(d.idea);
      break;
    case "idea.merged": {
      const item = idea(state, d.idea);
      if (item) { item.status = "merged"; item.mergedInto = d.target; }
      // As on the server: earlier merges into this idea now point on to the target.
      for (const other of state.ideas.values()) if (other.mergedInto === d.idea) other.mergedInto = d.target;
      touch(d.idea); touch(d.target);
      break;
    }
    case "idea.status_changed": {
      const item = idea(state, d.idea);
      if (item) item.status = d.status;
      touch(d.idea);
      break;
    }
    case "comment.created":
    case "comment.restored": {
      const item = idea(state, d.idea);
      if (item) item.comments += 1;
      if (event.type === "comment.created") change.added.comments = 1;
      touch(d.idea);
      break;
    }
    case "comment.hidden":
    case "comment.deleted": {
      const item = idea(state, d.idea);
      if (item) item.comments = Math.max(0, item.comments - 1);
      touch(d.idea);
      break;
    }
    case "support.changed": {
      const item = idea(state, d.idea);
      if (item) {
        change.added.supports = Math.max(0, (d.supports || 0) - item.supports);
        item.supports = d.supports || 0;
      }
      touch(d.idea);
      break;
    }
    case "themes.updated":
      state.themes = (d.themes || []).slice();
      break;
    case "phase.changed": {
      const known = state.agenda.find((p) => p.id === d.phase);
      state.phase = d.phase == null ? null : { ...(known || { id: d.phase, kind: d.kind }), title: d.title || (known && known.title) || "" };
      state.manual = Boolean(d.manual);
      break;
    }
    case "announcement.created":
      state.announcements = [{ id: d.announcement, text: d.text, at: event.at }, ...state.announcements.filter((a) => a.id !== d.announcement)].slice(0, ANNOUNCEMENTS);
      break;
    case "announcement.withdrawn":
      state.announcements = state.announcements.filter((a) => a.id !== d.announcement);
      break;
    case "team.founded":
      if (!state.teams.has(d.team)) change.added.teams = 1;
      state.teams.set(d.team, {
        id: d.team, challenge: d.challenge, name: d.name, ideas: (d.ideas || []).slice(), members: 1, prototype: null,
        url: urlFor(state.urls.team, d.team),
      });
      change.teams.push(d.team);
      break;
    case "team.updated": {
      const team = state.teams.get(d.team);
      if (team && d.name) team.name = d.name;
      change.teams.push(d.team);
      break;
    }
    case "team.member_joined":
    case "team.member_left": {
      const team = state.teams.get(d.team);
      if (team && typeof d.members === "number") team.members = d.members;
      change.teams.push(d.team);
      break;
    }
    case "prototype.saved": {
      const team = state.teams.get(d.team);
      if (team) team.prototype = { status: "draft", version: d.version };
      change.teams.push(d.team);
      break;
    }
    case "prototype.submitted": {
      const team = state.teams.get(d.team);
      if (team) {
        if (!team.prototype || team.prototype.status !== "submitted") change.added.prototypes = 1;
        team.prototype = { version: 0, ...(team.prototype || {}), status: "submitted" };
      }
      change.teams.push(d.team);
      break;
    }
    case "prototype.reopened": {
      const team = state.teams.get(d.team);
      if (team && team.prototype) team.prototype = { ...team.prototype, status: "draft" };
      change.teams.push(d.team);
      break;
    }
    default:
      // ranking.changed, rating.changed, comparison.recorded: nothing the live view draws.
      break;
  }
  state.recent.push(event);
  if (state.recent.length > RECENT) state.recent.splice(0, state.recent.length - RECENT);
  return change;
}

/** The phase the agenda's clock says at `now` (ms), or the organizers' choice while they hold
 * one: {phase, until (ms or null), next, manual}. */
export function clockAt(state, now) {
  if (state.manual) return { phase: state.phase, until: null, next: null, manual: true };
  const current = state.agenda.find((p) => p.start <= now && now < p.end);
  if (current) return { phase: current, until: current.end, next: null, manual: false };
  const next = state.agenda.find((p) => p.start > now) || null;
  return { phase: null, until: next ? next.start : null, next, manual: false };
}

/** Visible ideas (moderation's hidden ones left out), oldest first. */
export function visibleIdeas(state) {
  return [...state.ideas.values()].filter((i) => !i.hidden).sort((a, b) => a.id - b.id);
}

/** Counters per challenge id and in total: ideas (merged ones not counted twice), comments,
 * supports, teams, submitted prototypes. */
export function counters(state) {
  const zero = () => ({ ideas: 0, comments: 0, supports: 0, teams: 0, prototypes: 0 });
  const byChallenge = new Map(state.challenges.map((c) => [c.id, zero()]));
  for (const item of state.ideas.values()) {
    const row = byChallenge.get(item.challenge);
    if (!row || item.hidden) continue;
    if (item.status !== "merged") row.ideas += 1;
    row.comments += item.comments;
    row.supports += item.supports;
  }
  for (const team of state.teams.values()) {
    const row = byChallenge.get(team.challenge);
    if (!row) continue;
    row.teams += 1;
    if (team.prototype && team.prototype.status === "submitted") row.prototypes += 1;
  }
  const total = zero();
  for (const row of byChallenge.values()) for (const key of Object.keys(total)) total[key] += row[key];
  return { byChallenge, total };
}

/** The ideas with the most supports (then comments, then the older), merged ones left out. */
export function topIdeas(state, count = 5) {
  return visibleIdeas(state)
    .filter((i) => i.status !== "merged")
    .sort((a, b) => b.supports - a.supports || b.comments - a.comments || a.id - b.id)
    .slice(0, count);
}

/** The builds-on links between visible ideas. */
export function visibleLinks(state) {
  const shown = (id) => { const i = state.ideas.get(id); return i && !i.hidden; };
  return [...state.links.values()].filter((l) => shown(l.source) && shown(l.target));
}
