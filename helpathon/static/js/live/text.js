// Texts and formats. Every word comes from the page (#live-messages, translated by Django);
// numbers, dates and relative times from Intl in the page's language.

export const lang = document.documentElement.lang || "de";

/** The page's messages: {key: text with {placeholders}}. */
export function loadMessages(root = document) {
  const messages = {};
  for (const item of root.querySelectorAll("#live-messages [data-key]")) {
    messages[item.dataset.key] = item.textContent.replace(/\s+/g, " ").trim();
  }
  return messages;
}

export function format(template, params) {
  return (template || "").replace(/\{(\w+)\}/g, (whole, name) => (params && params[name] != null ? String(params[name]) : whole));
}

const pluralRules = new Intl.PluralRules(lang);
const numbers = new Intl.NumberFormat(lang);

export function number(n) {
  return numbers.format(n);
}

/** `key.one` or `key.other` for n, formatted. */
export function plural(messages, key, n) {
  const form = pluralRules.select(n) === "one" ? "one" : "other";
  return format(messages[`${key}.${form}`] || messages[`${key}.other`], { n: number(n) });
}

const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "long" });

/** "vor 5 Minuten" / "5 minutes ago" for a moment (ms) seen from `now` (ms). */
export function ago(moment, now) {
  const seconds = Math.round((moment - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(0, "second");
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

const clockTime = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
const dateTime = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function time(moment) {
  return clockTime.format(new Date(moment));
}

export function dateAndTime(moment) {
  return dateTime.format(new Date(moment));
}

function pad(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** Time left as "01:23:45", or "2 Tage, 01:23:45"; "jetzt" when it has come. */
export function countdown(messages, ms) {
  if (ms <= 0) return messages.now;
  let s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const clock = `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days ? `${plural(messages, "days", days)}, ${clock}` : clock;
}

function ideaTitle(messages, state, id, fallback) {
  const item = state.ideas.get(id);
  if (item) return item.hidden || item.title == null ? messages.hidden : item.title;
  return fallback == null ? messages.hidden : fallback;
}

function challengeTitle(state, id) {
  const challenge = state.challenges.find((c) => c.id === id);
  return challenge ? challenge.title : "";
}

/** The activity sentence of an event, or null for events the ticker leaves out. Titles of
 * ideas hidden now read "(hidden)". */
export function sentence(messages, state, event) {
  const template = messages[event.type];
  const d = event.data || {};
  if (!template || d.withdrawn) return null; // a withdrawn announcement is not retold
  const item = state.ideas.get(d.idea);
  const team = state.teams.get(d.team);
  const challengeId = d.challenge != null ? d.challenge : (item || team || {}).challenge;
  const ownTitle = "title" in d && event.type.startsWith("idea.") ? d.title : undefined;
  const params = {
    title: ideaTitle(messages, state, d.idea, ownTitle),
    target: d.target != null ? ideaTitle(messages, state, d.target, null) : "",
    challenge: challengeTitle(state, challengeId),
    team: d.name || (team ? team.name : ""),
    phase: event.type === "phase.changed" ? d.title || "" : "",
    text: d.text || "",
    status: messages[`status.${d.status}`] || d.status || "",
    n: number(event.type === "support.changed" ? d.supports || 0
      : event.type === "themes.updated" ? (d.themes || []).length
        : event.type === "team.member_joined" ? d.members || 0
          : event.type === "prototype.saved" ? d.version || 0 : 0),
  };
  return format(template, params);
}
