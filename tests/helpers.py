"""Small checks the tests share."""


def assert_section(response, section_id):
    """htmx got the section alone: the element with that id, no page around it."""
    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    assert "<html" not in html
    assert f'id="{section_id}"' in html.split(">", 1)[0] + ">"


def contract_a_link(row):
    """The link back to the contract of a row (a goal, an expectation) on its section's page."""
    return f'href="{row.contract.get_absolute_url()}"'


def squashed(html):
    """The markup without the indentation between tags (the templates are formatted; a
    browser collapses that whitespace), so a test can look for `<td>yes</td>`."""
    import re

    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html)
