"""Small template helpers for Bootstrap forms and masked display."""

from django import template

register = template.Library()


@register.filter
def bs(field, named: str = ""):
    """Render a bound field with the Bootstrap class its widget needs; `|bs:"aria"` also names it by its label
    (for controls repeated on a page without ids, which a <label for> cannot point at)."""
    widget = field.field.widget
    kind = getattr(widget, "input_type", "")
    css = {"select": "form-select", "checkbox": "form-check-input", "radio": "form-check-input"}.get(
        kind, "form-control"
    )
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css} | ({"aria-label": str(field.label)} if named else {})
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pair(a, b):
    """(a, b) for membership tests in templates: {% if x|pair:y in pairs %}."""
    return (a, b)


@register.filter
def page_title(title, site):
    """ "工作台 · 系统名" for a page with a title, the site's name alone for one without."""
    title = str(title).strip()
    return f"{title} · {site}" if title else str(site)
