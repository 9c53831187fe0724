"""``{{ text|markdown }}``: a stored reply shown as sanitised Markdown (the history's run page)."""

from django import template
from django.utils.safestring import SafeString

from playground.markdown_render import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text or "")
