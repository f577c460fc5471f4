"""The pages' gettext catalogues: every text the code or a template says is in messages.pot,
translated in Russian and Kazakh without English words left in, with its placeholders; and
the templates' gettext fills and escapes placeholders in the page's own language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import DictLoader

from clms.web.i18n import LANGUAGES, LOCALE_DIR, catalogue_path, environment, translate

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("ru", "kk")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
# Latin words a Russian or Kazakh page may show: names of things, written the same way there.
LATIN_ALLOWED = {"CLMS", "SMS", "URL", "QR", "ID", "ODK"}


def read_catalogue(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def messages(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {m.id for m in messages(catalog)}


def template() -> Catalog:
    return read_catalogue(LOCALE_DIR / "messages.pot")


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def placeholders(text: str | tuple[str, ...]) -> set[str]:
    texts = text if isinstance(text, tuple) else (text,)
    return {name for t in texts for name in PLACEHOLDER.findall(t)}


def extracted_now() -> set[str | tuple[str, ...]]:
    """What `make translations` would extract from clms/web today, read in-process."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=DEFAULT_KEYWORDS)
    return {message for _file, _line, message, _comments, _context in found}


# --- the catalogues -------------------------------------------------------------------


def test_every_language_offered_has_a_catalogue() -> None:
    for lang, _name in LANGUAGES:
        assert catalogue_path(lang).is_file(), lang


def test_the_template_holds_every_text_the_code_and_the_templates_say_and_no_other() -> None:
    assert extracted_now() == ids(template())


@pytest.mark.parametrize("lang", [code for code, _name in LANGUAGES])
def test_each_catalogue_has_the_templates_msgids_and_no_other(lang: str) -> None:
    assert ids(read_catalogue(catalogue_path(lang), lang)) == ids(template())


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_text_is_translated_in_every_plural_form_and_none_is_fuzzy(lang: str) -> None:
    catalog = read_catalogue(catalogue_path(lang), lang)
    untranslated = [m.id for m in messages(catalog) if not all(forms(m)) or m.fuzzy]
    plural_forms = {len(forms(m)) for m in messages(catalog) if m.pluralizable}

    assert untranslated == []
    assert plural_forms <= {catalog.num_plurals}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_leaves_an_english_word_in_russian_or_kazakh(lang: str) -> None:
    catalog = read_catalogue(catalogue_path(lang), lang)
    latin = {
        word
        for m in messages(catalog)
        for form in forms(m)
        for word in LATIN_WORD.findall(PLACEHOLDER.sub("", form))
    }
    assert latin - LATIN_ALLOWED == set()


@pytest.mark.parametrize("lang", [code for code, _name in LANGUAGES])
def test_every_translation_keeps_the_placeholders_of_its_msgid(lang: str) -> None:
    catalog = read_catalogue(catalogue_path(lang), lang)
    wrong = {
        m.id: form
        for m in messages(catalog)
        for form in forms(m)
        if form and placeholders(form) != placeholders(m.id)  # "" falls back to the msgid
    }
    assert wrong == {}


def test_the_check_for_english_words_sees_them_outside_placeholders() -> None:
    found = LATIN_WORD.findall(PLACEHOLDER.sub("", "Ответ %(answer)s записан, thanks"))
    assert found == ["thanks"]


# --- what the pages get ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "said"),
    [("ru", "Социальный работник: Aizhan M."), ("kk", "Әлеуметтік қызметкер: Aizhan M."),
     ("en", "Social worker: Aizhan M."), ("xx", "Социальный работник: Aizhan M.")],
)  # fmt: skip
def test_python_code_gets_the_text_in_the_language_asked_else_in_russian(
    lang: str, said: str
) -> None:
    assert translate(lang, "Social worker: %(worker)s", worker="Aizhan M.") == said


def page(source: str, **context: object) -> str:
    env = environment()
    env.loader = DictLoader({"page.html": source})
    return env.get_template("page.html").render(**context)


def test_a_template_says_its_texts_in_the_language_of_the_page_it_renders() -> None:
    source = '{{ _("Attendance") }} / {{ _("Does %(child)s attend %(provider)s?", child=c, provider=p) }}'

    assert page(source, lang="kk", c="Айгерім С.", p="№3") == (
        "Сабаққа қатысу / Айгерім С. №3 мекемесіне қатыса ма?"
    )
    assert (
        page(source, lang="ru", c="Айгерім С.", p="№3")
        == "Посещаемость / Посещает ли Айгерім С. №3?"
    )


def test_a_placeholders_value_is_escaped_in_a_template_but_the_text_is_not() -> None:
    shown = page('{{ _("Your answer: %(answer)s", answer=a) }}', lang="en", a="<b>&")
    assert shown == "Your answer: &lt;b&gt;&amp;"


def test_a_template_that_forgets_a_placeholder_fails_instead_of_showing_it() -> None:
    with pytest.raises(KeyError, match="child"):
        page('{{ _("Does %(child)s attend %(provider)s?", provider="x") }}', lang="ru")


@pytest.mark.parametrize(
    ("lang", "minutes", "said"),
    [("ru", 1, "ещё 1 минуту:"), ("ru", 3, "ещё 3 минуты:"), ("ru", 15, "ещё 15 минут:"),
     ("ru", 21, "ещё 21 минуту:"), ("kk", 1, "тағы 1 минут ішінде"), ("en", 1, "for 1 more minute:"),
     ("en", 2, "for 2 more minutes:")],
)  # fmt: skip
def test_a_count_takes_the_plural_form_of_the_pages_language(
    lang: str, minutes: int, said: str
) -> None:
    source = (
        "{% trans count=n %}Clicked by mistake? You can change the answer for {{ count }} more"
        " minute:{% pluralize %}Clicked by mistake? You can change the answer for {{ count }}"
        " more minutes:{% endtrans %}"
    )
    assert said in page(source, lang=lang, n=minutes)
