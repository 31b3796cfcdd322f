"""The report's charts, drawn by matplotlib on the server as inline SVG.

No pyplot and no global state: each chart is its own `Figure`, printed by the SVG backend
under an `rc_context`. Text is embedded as paths ("svg.fonttype": "path"), so the page and the
PDF look the same without any web font. Each SVG is made accessible (role="img", a <title>
and a <desc> it is labelled by); the page and the PDF print the data as a table next to it.
"""

import hashlib
import io
import re
import textwrap
from collections.abc import Sequence
from datetime import timedelta

from django.core.cache import cache
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from helpathon.results.report import Activity, ChallengeRow, Tally

# The site's colours (static/css/helpathon.css): ideas in the brand blue, comments in the
# accent orange, supports in green — each also has its own marker and line style.
INK = "#1b1f2a"
MUTED = "#4a5263"
LINE = "#d5dae3"
COLOURS = {"ideas": "#1d3557", "comments": "#b3400a", "supports": "#1e6b3a"}
MARKERS = {"ideas": "o", "comments": "s", "supports": "^"}
DASHES = {"ideas": "-", "comments": "--", "supports": ":"}

# Bump when the drawing changes, so that cached charts are drawn anew.
CHART_VERSION = 3
WIDTH = 7.5  # inches: about 720 CSS pixels, so 11 pt text reads at its size on a page
NARROW = 5.0
RC = {
    "svg.fonttype": "path",
    # Titles are user text: a "$" must not start mathtext (nor fail to parse as it).
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.titlesize": 12,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


def _figure(height: float, width: float = WIDTH):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(figure, *, chart_id: str, title: str, desc: str) -> SafeString:
    """The figure as an inline <svg> element, labelled by its title and description. Ids are
    prefixed with `chart_id`, so that several charts can share one HTML page."""
    from matplotlib import rc_context

    buffer = io.StringIO()
    with rc_context({**RC, "svg.hashsalt": chart_id}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE inside HTML
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # Its style sheet (`* {stroke-linejoin…}`) would apply to the whole HTML page.
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    # The site's Content-Security-Policy (style-src 'self') blocks style="" attributes: say
    # the same with SVG presentation attributes (fill="…", stroke="…"), which it allows.
    svg = re.sub(r'\sstyle="([^"]*)"', _presentation_attributes, svg)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    opening = svg[: svg.index(">") + 1]
    labelled = opening[:-1] + (
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart-svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return mark_safe(labelled + svg[len(opening):])


def _presentation_attributes(match: re.Match) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if re.fullmatch(r"[a-z-]+", name) and value:
            attributes.append(f' {name}="{value}"')
    return "".join(attributes)


def _style(axes, *, grid_axis: str) -> None:
    axes.grid(axis=grid_axis, color=LINE, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(length=3)


def bar_chart(tallies: Sequence[Tally], *, chart_id: str, title: str, desc: str, colour: str = COLOURS["ideas"]) -> SafeString:
    """Horizontal bars, one per tally, each labelled with its number."""
    from matplotlib.ticker import MaxNLocator

    with _rc():
        # Narrow: these charts stand side by side on the page, each at about its own size.
        figure = _figure(0.42 * len(tallies) + 0.7, width=NARROW)
        axes = figure.add_subplot()
        labels = [t.label for t in tallies][::-1]
        values = [t.count for t in tallies][::-1]
        bars = axes.barh(labels, values, color=colour, height=0.65)
        axes.bar_label(bars, padding=4, color=INK)
        axes.set_xlim(0, max(values + [1]) * 1.15)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        _style(axes, grid_axis="x")
    return _svg(figure, chart_id=chart_id, title=title, desc=desc)


def challenge_chart(rows: Sequence[ChallengeRow], *, chart_id: str, title: str, desc: str, labels: dict) -> SafeString:
    """Ideas, comments and supports per challenge as grouped horizontal bars."""
    from matplotlib.ticker import MaxNLocator

    with _rc():
        figure = _figure(max(2.2, 1.1 * len(rows) + 1.0))
        axes = figure.add_subplot()
        height = 0.26
        names = [textwrap.fill(row.challenge.title, 28) for row in rows][::-1]
        positions = range(len(names))
        for i, series in enumerate(("supports", "comments", "ideas")):
            values = [getattr(row, series) for row in rows][::-1]
            offsets = [p + (i - 1) * height for p in positions]
            bars = axes.barh(offsets, values, height=height, color=COLOURS[series], label=labels[series])
            axes.bar_label(bars, padding=3, color=INK, fontsize=9)
        axes.set_yticks(list(positions), names)
        axes.set_xlim(0, max([r.ideas for r in rows] + [r.comments for r in rows] + [r.supports for r in rows] + [1]) * 1.15)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        handles, legend_labels = axes.get_legend_handles_labels()
        figure.legend(handles[::-1], legend_labels[::-1], loc="outside upper center", ncols=3)
        _style(axes, grid_axis="x")
    return _svg(figure, chart_id=chart_id, title=title, desc=desc)


def activity_chart(activity: Activity, *, chart_id: str, title: str, desc: str, labels: dict) -> SafeString:
    """Ideas, comments and supports per hour (or day) as lines over time."""
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.ticker import MaxNLocator

    with _rc():
        figure = _figure(3.4)
        axes = figure.add_subplot()
        moments = [bucket.start for bucket in activity.buckets]
        tz = moments[0].tzinfo if moments else None
        few = len(moments) <= 48
        for series in ("ideas", "comments", "supports"):
            axes.plot(
                moments, [getattr(b, series) for b in activity.buckets], label=labels[series],
                color=COLOURS[series], linestyle=DASHES[series], linewidth=2,
                marker=MARKERS[series] if few else None, markersize=5,
            )
        german = (get_language() or "de").startswith("de")
        if activity.unit == "hour":
            fmt = "%d.%m.\n%H:%M" if german else "%b %d\n%H:%M"
        else:
            fmt = "%d.%m.%Y" if german else "%b %d, %Y"
        locator = AutoDateLocator(tz=tz, minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(DateFormatter(fmt, tz=tz))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
        if len(moments) == 1:  # a single point needs some room either side
            step = timedelta(hours=1) if activity.unit == "hour" else timedelta(days=1)
            axes.set_xlim(moments[0] - step, moments[0] + step)
        axes.set_ylabel(labels["unit"])
        figure.legend(loc="outside upper center", ncols=3)
        _style(axes, grid_axis="y")
    return _svg(figure, chart_id=chart_id, title=title, desc=desc)


def _rc():
    from matplotlib import rc_context

    return rc_context(RC)


def report_charts(report) -> dict[str, SafeString]:
    """The report's charts, titled and described in the current language. A chart is drawn
    once per language and data (matplotlib takes a tenth of a second or so), then cached."""
    labels = {
        "ideas": _("Ideas"), "comments": _("Comments"), "supports": _("Supports"),
        "unit": _("per hour") if report.activity.unit == "hour" else _("per day"),
    }
    charts = {}
    if report.participants:
        charts["sectors"] = _cached(
            "sectors", report.by_sector, lambda: bar_chart(
                report.by_sector, chart_id="chart-sectors", title=_("Participants by sector"),
                desc=_listing(report.by_sector),
            ))
        charts["roles"] = _cached(
            "roles", report.by_role, lambda: bar_chart(
                report.by_role, chart_id="chart-roles", title=_("Participants by role"),
                desc=_listing(report.by_role), colour=COLOURS["comments"],
            ))
    if report.challenges and (report.ideas or report.comments or report.supports):
        data = [(r.challenge.title, r.ideas, r.comments, r.supports) for r in report.challenges]
        charts["challenges"] = _cached(
            "challenges", data, lambda: challenge_chart(
                report.challenges, chart_id="chart-challenges", labels=labels,
                title=_("Ideas, comments and supports per challenge"),
                desc="; ".join(
                    _("%(challenge)s: %(ideas)s ideas, %(comments)s comments, %(supports)s supports")
                    % {"challenge": title, "ideas": i, "comments": c, "supports": s}
                    for title, i, c, s in data
                ),
            ))
    if report.activity.buckets:
        activity = report.activity
        data = [(b.start.isoformat(), b.ideas, b.comments, b.supports) for b in activity.buckets]
        charts["activity"] = _cached(
            "activity", (activity.unit, data), lambda: activity_chart(
                activity, chart_id="chart-activity", labels=labels,
                title=_("Activity over time"), desc=_activity_summary(activity),
            ))
    return charts


def _listing(tallies: Sequence[Tally]) -> str:
    return ", ".join(f"{t.label}: {t.count}" for t in tallies)


def _activity_summary(activity: Activity) -> str:
    busiest = max(activity.buckets, key=lambda b: (b.total, -b.start.timestamp()))
    if activity.unit == "hour":
        text = _("Ideas, comments and supports per hour from %(first)s to %(last)s. The busiest hour began %(peak)s, with %(n)s contributions.")
        fmt = "DATETIME_FORMAT"
    else:
        text = _("Ideas, comments and supports per day from %(first)s to %(last)s. The busiest day was %(peak)s, with %(n)s contributions.")
        fmt = "DATE_FORMAT"
    return text % {
        "first": date_format(activity.buckets[0].start, fmt), "last": date_format(activity.buckets[-1].start, fmt),
        "peak": date_format(busiest.start, fmt), "n": busiest.total,
    } + " " + _("The table below lists every hour or day with activity.")


def _cached(name: str, data, draw) -> SafeString:
    key = "report:chart:" + hashlib.sha256(repr((CHART_VERSION, name, get_language(), data)).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = str(draw())
        cache.set(key, found, 24 * 3600)
    return mark_safe(found)
