"""Markdown for user-written text: rendered, then sanitised with an allow-list (nh3)."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "blockquote",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """HTML safe to insert into a page: no scripts, no event handlers, no javascript: links."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


class RenderedMarkdownMixin:
    """For models whose Markdown fields are shown as HTML: each source field of `RENDERED`
    (`{"text": "text_html"}`) is rendered into its target field when the row is saved, so that
    pages do not render Markdown per request (the directory rendered it for every card). Only
    the sources being saved are rendered again; `bulk_create` callers call
    `render_markdown_fields()` themselves.
    """

    RENDERED: dict[str, str] = {}

    def render_markdown_fields(self, sources=None) -> list[str]:
        """Renders `sources` (default all) and returns the target fields it set."""
        targets = []
        for source, target in self.RENDERED.items():
            if sources is None or source in sources:
                setattr(self, target, render_markdown(getattr(self, source)))
                targets.append(target)
        return targets

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None:
            self.render_markdown_fields()
        else:
            update_fields = list(update_fields)
            update_fields += self.render_markdown_fields(set(update_fields))
        super().save(*args, update_fields=update_fields, **kwargs)


def rendered(html: str) -> SafeString:
    """A stored rendering of `RenderedMarkdownMixin`: sanitised by `render_markdown` when it was
    saved, so safe to insert."""
    return mark_safe(html)  # nh3's allow-list ran before it was stored


def render_stored_rows(apps, rendered: dict[tuple[str, str], dict[str, str]]) -> None:
    """For data migrations that add `RenderedMarkdownMixin` columns: renders the existing rows
    of each (app label, model name) from source into target fields."""
    for (app_label, model_name), fields in rendered.items():
        model = apps.get_model(app_label, model_name)
        rows = list(model.objects.only("pk", *fields))
        for row in rows:
            for source, target in fields.items():
                setattr(row, target, render_markdown(getattr(row, source)))
        model.objects.bulk_update(rows, list(fields.values()), batch_size=500)
