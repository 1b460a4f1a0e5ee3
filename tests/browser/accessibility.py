"""What the accessibility tests share: axe-core's WCAG 2.1 A and AA rules in Chromium, the
checks axe cannot make on a whole page (one h1, unique ids, no sideways scrolling), a browser
context signed in as a role, and the contrast of two colours."""

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from governance.models import User

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS pixels without scrolling sideways

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
AXE = Axe()

# One h1, ids unique (a label's `for` finds its own field), and at 320 px nothing wider than
# the window: what axe-core leaves to people.
PAGE_FACTS = """
() => {
  const ids = Array.from(document.querySelectorAll("[id]"), (element) => element.id);
  const root = document.documentElement;
  const outside = (element) => element.getBoundingClientRect().right > root.clientWidth + 1;
  return {
    h1: document.querySelectorAll("h1").length,
    duplicateIds: [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))],
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    // The outermost elements that stick out on the right: where to look when it is too wide.
    stickingOut: Array.from(document.body.querySelectorAll("*"))
      .filter((element) => outside(element) && !outside(element.parentElement))
      .filter((element) => !element.closest(".table-scroll"))
      .slice(0, 3)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`),
    lang: root.lang,
  };
}
"""


def problems_on(page, where, *, language=None):
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it stands, and whatever
    PAGE_FACTS finds wrong, as lines naming `where`."""
    found = []
    for violation in AXE.run(page, options=AXE_OPTIONS).response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:4])
        found.append(f"{where}: axe {violation['id']} ({violation['impact']}): {targets}")
    facts = page.evaluate(PAGE_FACTS)
    if facts["h1"] != 1:
        found.append(f"{where}: {facts['h1']} h1 elements")
    if facts["duplicateIds"]:
        found.append(f"{where}: ids used twice: {facts['duplicateIds']}")
    wide, window = facts["scrollWidth"], facts["clientWidth"]
    if wide > window:
        found.append(f"{where}: {wide} px wide in a {window} px window: {facts['stickingOut']}")
    if language is not None and facts["lang"] != language:
        found.append(f"{where}: lang={facts['lang']!r}, not {language!r}")
    return found


def context_for(browser, base_url, user, **options):
    """A browser context signed in as `user` (None: nobody) past the second factor, through
    the session cookie Django's test client makes (tests/conftest.py)."""
    context = browser.new_context(**{"viewport": WIDE, **options})
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    return context


def speak(context, base_url, user, language):
    """The pages that follow in `language`: the person's own setting, or for nobody signed in
    the language cookie the header's switch sets."""
    if user is None:
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
        )
    else:
        User.objects.filter(pk=user.pk).update(language=language)


def luminance(colour):
    """The relative luminance of an "rgb(r, g, b)" colour, as WCAG defines it."""
    channels = [int(part) / 255 for part in colour[colour.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    lighter, darker = sorted([luminance(one), luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
