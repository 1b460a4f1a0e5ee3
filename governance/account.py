"""Sections of a person's own account page that apps above the ground floor add: each names a
heading, a line of explanation and the page it links to (registered from an AppConfig.ready(),
as governance.notifications' kinds are), so the account page needs no upward import."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class AccountSection:
    key: str
    heading: str | Promise
    link_text: str | Promise
    url_name: str


_sections: dict[str, AccountSection] = {}


def register_section(
    key: str, *, heading: str | Promise, link_text: str | Promise, url_name: str
) -> None:
    """Add a section to every person's account page (once per key)."""
    _sections[key] = AccountSection(key, heading, link_text, url_name)


def sections() -> list[AccountSection]:
    return list(_sections.values())
