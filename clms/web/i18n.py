"""The pages' languages: which are offered, the gettext catalogues that translate them, and
the Jinja2 environment whose templates say `{{ _("...") }}` and `{% trans %}`.

The catalogues are the .po files of clms/web/locale, compiled in memory on first use (about
20 ms a language, once), so there is no build step and no .mo file to forget; `make translations`
extracts the msgids (English) from clms/web and merges them into each catalogue.

One environment serves every language: its gettext functions read the language from the
page's own context (`lang`), so two pages rendered at once in two languages cannot mix."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
DOMAIN = "messages"

# Each language named in its own words, as the switcher shows it.
LANGUAGES = (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English"))
DEFAULT_LANGUAGE = "ru"  # for a reader whose language nothing tells (a forged link, cut short)
LANGUAGE_CODES = frozenset(code for code, _name in LANGUAGES)


def N_(message: str) -> str:  # the name pybabel looks for
    """Marks a msgid for extraction where it is only named, to be translated later."""
    return message


# The country files' words a page shows (what a monitor ticks, where a child lives): English
# in the files, translated by the same catalogues as the pages' own texts.
CONFIG_LABELS = {
    "activities": ("label",),
    "conditions": ("label",),
    "districts": ("name", "region"),
}


def extract_config_labels(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, None, str, list[str]]]:
    """pybabel's extractor for config/**.toml (named in babel.cfg)."""
    document = tomllib.load(fileobj)
    for section, keys in CONFIG_LABELS.items():
        for entry in document.get(section, ()):
            for key in keys:
                yield 1, None, entry[key], [f"{section}.{key}"]


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def translations(lang: str) -> Translations:
    """The language's catalogue; an unknown language gets the default's, never the English
    msgids in a page that says it is in another language."""
    return _compiled(lang if lang in LANGUAGE_CODES else DEFAULT_LANGUAGE)


@cache  # keyed by the offered languages only: a reader's ?lang= cannot grow it
def _compiled(lang: str) -> Translations:
    with catalogue_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out: they are not translations yet
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translate(lang: str, message: str, **variables: object) -> str:
    """A text for Python code (what app.py puts into a page), with %(name)s filled in; the
    message is a literal marked N_("...") so that pybabel finds it."""
    # Always formatted, as Jinja2's newstyle gettext does: a literal % is %% in both.
    return translations(lang).gettext(message) % variables


@pass_context
def _page_gettext(context: Context, message: str) -> str:
    return translations(context.get("lang", DEFAULT_LANGUAGE)).gettext(message)


@pass_context
def _page_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang", DEFAULT_LANGUAGE)).ngettext(singular, plural, n)


def environment() -> Environment:
    """Newstyle gettext: `_("Hello %(name)s", name=x)` fills and escapes the placeholders,
    and a missing one fails the render instead of showing `%(name)s` to a reader."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    i18n: Any = env  # the extension adds install_gettext_callables; Jinja2's stubs lack it
    i18n.install_gettext_callables(_page_gettext, _page_ngettext, newstyle=True)
    return env


TEMPLATES = Jinja2Templates(env=environment())
