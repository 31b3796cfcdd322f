"""The edition as an iCalendar file, for a confirmed participant's calendar."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def edition_ics(edition) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Helpathon//helpathon//DE")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"edition-{edition.pk}@helpathon")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", edition.starts_at)
    event.add("dtend", edition.ends_at)
    event.add("summary", f"Helpathon: {edition.title}")
    event.add("description", (edition.motto + "\n\n" if edition.motto else "") + edition.description)
    event.add("url", settings.SITE_URL + edition.get_absolute_url())
    event.add("location", "Online")
    calendar.add_component(event)
    return calendar.to_ical()
