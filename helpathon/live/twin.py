"""The live dashboard's accessible twin: what the graph shows, as the lists and tables a page
renders without JavaScript. A pure function of a snapshot (no query); the page's script keeps
the same lists current with the same rules (static/js/live/state.js)."""

from django.utils.dateparse import parse_datetime

TOP_IDEAS = 5
RECENT = 12
# Event types the activity list tells as a sentence (others change numbers only, or are
# moderation and evaluation details that a public ticker leaves out).
TOLD = frozenset({
    "idea.created", "idea.edited", "idea.merged", "idea.linked", "idea.status_changed", "comment.created",
    "support.changed", "themes.updated", "phase.changed", "announcement.created", "team.founded",
    "team.member_joined", "prototype.saved", "prototype.submitted",
})


def _counts() -> dict:
    return {"ideas": 0, "comments": 0, "supports": 0, "teams": 0, "prototypes": 0}


def _ranked(ideas: list[dict]) -> list[dict]:
    return sorted(ideas, key=lambda i: (-i["supports"], -i["comments"], i["id"]))


def twin(snapshot: dict) -> dict:
    """Counters per challenge and in total, the top ideas, the ideas and teams per challenge,
    and the recent activity (newest first) with the names its sentences need."""
    ideas = {i["id"]: i for i in snapshot.get("ideas", [])}
    challenges = {c["id"]: c for c in snapshot.get("challenges", [])}
    teams = {t["id"]: t for t in snapshot.get("teams", [])}
    counts = {pk: _counts() for pk in challenges}
    for idea in ideas.values():
        row = counts.get(idea["challenge"])
        if row is None:
            continue
        row["ideas"] += idea["status"] != "merged"
        row["comments"] += idea["comments"]
        row["supports"] += idea["supports"]
    for team in teams.values():
        row = counts.get(team["challenge"])
        if row is None:
            continue
        row["teams"] += 1
        row["prototypes"] += bool(team["prototype"] and team["prototype"]["status"] == "submitted")
    total = _counts()
    for row in counts.values():
        for key, value in row.items():
            total[key] += value

    builds_on: dict[int, list[dict]] = {}
    for link in snapshot.get("links", []):
        if link["kind"] == "builds_on" and link["target"] in ideas:
            builds_on.setdefault(link["source"], []).append(ideas[link["target"]])
    teams_of_idea: dict[int, list[dict]] = {}
    for team in teams.values():
        for idea_id in team["ideas"]:
            teams_of_idea.setdefault(idea_id, []).append(team)
    rows = []
    for pk, challenge in challenges.items():
        own = [i for i in ideas.values() if i["challenge"] == pk]
        rows.append({
            **challenge,
            "counts": counts[pk],
            "ideas": [
                {**i, "builds_on": builds_on.get(i["id"], []), "merged_into_idea": ideas.get(i["merged_into"]),
                 "teams": teams_of_idea.get(i["id"], [])}
                for i in own
            ],
            "teams": [{**t, "idea_titles": [ideas[i]["title"] for i in t["ideas"] if i in ideas]}
                      for t in teams.values() if t["challenge"] == pk],
        })
    return {
        "challenges": rows,
        "total": total,
        "top": [{**i, "challenge_title": challenges.get(i["challenge"], {}).get("title", "")}
                for i in _ranked([i for i in ideas.values() if i["status"] != "merged"])[:TOP_IDEAS]],
        "recent": _recent(snapshot.get("recent", []), ideas, challenges, teams),
        "clock": _clock(snapshot),
    }


def _clock(snapshot: dict) -> dict:
    """The current phase and until when it runs, or the next phase and when it starts (as the
    agenda's clock has it at the snapshot's time; no end while an organizer holds a phase)."""
    phase = snapshot.get("phase")
    if phase:
        return {"phase": phase, "next": None, "until": None if snapshot.get("manual") else parse_datetime(phase["ends_at"])}
    now = parse_datetime(snapshot["generated_at"])
    upcoming = next((p for p in snapshot.get("agenda", []) if parse_datetime(p["starts_at"]) > now), None)
    return {"phase": None, "next": upcoming, "until": parse_datetime(upcoming["starts_at"]) if upcoming else None}


def _recent(events: list[dict], ideas: dict, challenges: dict, teams: dict) -> list[dict]:
    told = []
    for event in reversed(events):
        if event["type"] not in TOLD or event["data"].get("withdrawn"):  # a withdrawn announcement is not retold
            continue
        data = event["data"]
        idea = ideas.get(data.get("idea"))
        target = ideas.get(data.get("target"))
        team = teams.get(data.get("team"))
        title = data.get("title") if "title" in data and event["type"].startswith("idea.") else (idea or {}).get("title")
        challenge_id = data.get("challenge") or (idea or team or {}).get("challenge")
        told.append({
            "seq": event["seq"], "type": event["type"], "at": parse_datetime(event["at"]),
            # A title is None when the idea is hidden now (redacted) or not in the snapshot.
            "title": title, "target": (target or {}).get("title"),
            "challenge": challenges.get(challenge_id, {}).get("title", ""),
            "team": data.get("name") or (team or {}).get("name", ""),
            "phase": data.get("title") or "", "text": data.get("text", ""), "status": data.get("status", ""),
            "n": _number(event["type"], data),
        })
        if len(told) == RECENT:
            break
    return told


def _number(type_: str, data: dict):
    if type_ == "support.changed":
        return data.get("supports")
    if type_ == "themes.updated":
        return len(data.get("themes") or [])
    if type_ == "team.member_joined":
        return data.get("members")
    if type_ == "prototype.saved":
        return data.get("version")
    return None
