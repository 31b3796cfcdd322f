"""The live view's current state of an edition, and the event number it is valid for.

Each domain app contributes its part (`contributor`), so `live` needs no domain internals. A page
subscribes to the stream, loads the snapshot, then applies the events numbered after its `seq`
(applying an event twice is harmless: events state values, and the client keys by id).

Shape (all ids are numbers; times ISO 8601):
  seq, generated_at,
  edition {slug, title, motto, starts_at, ends_at, url},
  phase {id, kind, title, starts_at, ends_at} | null, manual (an organizer holds the phase),
  agenda [{id, kind, title, starts_at, ends_at}],
  challenges [{id, slug, title, url}],
  ideas [{id, challenge, title, status, supports, comments, merged_into, theme, created_at, url}],
  links [{source, target, kind}]  (source builds on target),
  themes [{label, size}],
  teams [{id, challenge, name, ideas [ids], members, prototype {status, version} | null, url}],
  announcements [{id, text, at}]  (newest first, current ones only),
  recent [wire events]  (the newest events, oldest first, for the ticker).
"""

from django.utils import timezone

from helpathon.live import selectors

_contributors: list = []


def contributor(function):
    """Register a callable(edition) -> dict of top-level snapshot keys."""
    _contributors.append(function)
    return function


def snapshot(edition, *, recent: int = 30) -> dict:
    # The number first: whatever the parts then read is at least this new.
    data = {"seq": selectors.cursor_seq(edition.pk), "generated_at": timezone.now().isoformat()}
    for function in _contributors:
        data.update(function(edition))
    data["recent"] = selectors.recent_events(edition.pk, count=recent)
    return data
