"""The addresses reminders go to are checked, and stored in one form, before they are kept:
a mistyped one would be a reminder that silently never arrives."""

from __future__ import annotations

import pytest

from clms.bootstrap import App
from clms.config_files import DEFAULT_CONFIG_DIR
from clms.domain.addresses import checked_contact, email_address, phone_number, webhook_url
from clms.domain.errors import InvalidInput, Refused
from clms.messages import languages
from clms.services import commands as c
from tests.builders import NOW, child, identified, referred


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("+77011234567", "+77011234567"),
        ("+7 (701) 123-45-67", "+77011234567"),
        (" +996.555.123.456 ", "+996555123456"),
        ("+49 30 1234", "+49301234"),  # 8 digits: the shortest accepted
        ("+123456789012345", "+123456789012345"),  # 15: the longest E.164 allows
        ("", ""),  # no phone
        ("  ", ""),
    ],
)
def test_a_phone_number_is_stored_as_plus_and_its_digits(written: str, stored: str) -> None:
    assert phone_number(written) == stored


def test_a_phone_number_without_a_plus_is_refused_asking_for_the_international_form() -> None:
    with pytest.raises(InvalidInput, match=r"international form.*e\.g\. \+77011234567") as refused:
        phone_number("8 701 123 45 67")
    assert refused.value.field == "phone"


@pytest.mark.parametrize(
    "written", ["+7701", "+1234567890123456", "+7 701 ABC 45 67", "+7 701/123", "++77011234567"]
)
def test_a_phone_number_of_the_wrong_length_or_with_letters_is_refused(written: str) -> None:
    with pytest.raises(InvalidInput, match="8 to 15 digits") as refused:
        phone_number(written)
    assert refused.value.field == "phone"


@pytest.mark.parametrize("written", ["school3@edu.example.kz", " m@x.kz ", "a.b+c@mlsp.gov.kz"])
def test_a_well_formed_email_address_is_kept(written: str) -> None:
    assert email_address(written) == written.strip()


@pytest.mark.parametrize(
    "written",
    ["school3.edu.kz", "@edu.kz", "a@b@edu.kz", "a@localhost", "a@edu.", "a@.kz", "a b@edu.kz",
     "a@edu..kz"],
)  # fmt: skip
def test_an_email_address_without_one_at_a_name_or_a_dotted_domain_is_refused(
    written: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        email_address(written)
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    "written", ["https://kundelik.example.kz/clms", "http://127.0.0.1:9/attendance", ""]
)
def test_a_school_system_s_address_over_http_with_a_host_is_kept(written: str) -> None:
    assert webhook_url(written) == written


@pytest.mark.parametrize(
    "written",
    ["ftp://school.kz/in", "school.kz/in", "https://", "https:///path", "http://a b.kz",
     "http://school.kz:port/"],
)  # fmt: skip
def test_a_school_system_s_address_that_is_not_http_with_a_host_is_refused(written: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        webhook_url(written)
    assert refused.value.field == "webhook_url"


def test_a_language_must_have_message_templates() -> None:
    templates = languages()
    assert templates == sorted(p.stem for p in (DEFAULT_CONFIG_DIR / "messages").glob("*.toml"))
    assert checked_contact({"language": "kk"}, templates) == {"language": "kk"}
    with pytest.raises(InvalidInput, match="one of: en, kk, ru") as refused:
        checked_contact({"phone": "+77011234567", "language": "de"}, templates)
    assert refused.value.field == "language"


def test_a_refusal_to_remove_a_provider_names_a_few_of_its_cases_and_counts_the_rest(
    fake_app: App,
) -> None:
    names = ("Айгерім", "Мадина", "Дана", "Әлия", "Нұрлан", "Ерлан")
    numbers = [referred(fake_app, identified(fake_app, n, who=child(n))) for n in names]
    named = ", ".join(numbers[:5])
    with pytest.raises(Refused, match=rf"6 cases \({named} and 1 more\) have a live referral"):
        fake_app.handle(c.RemoveProvider("SCH-12", NOW))
