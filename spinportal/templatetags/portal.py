from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
