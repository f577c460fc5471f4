"""The answer pages' texts that the code picks by a key at run time (the answer a school
gave, the kind of refusal): English msgids, marked for extraction and translated by the
catalogues of clms/web/locale. Texts with placeholders are written where they are used."""

from __future__ import annotations

from clms.web.i18n import LANGUAGES, N_, translate

KEYED: dict[str, str] = {
    "attending_regularly": N_("Attending regularly"),
    "attending_irregularly": N_("Attending irregularly"),
    "not_attending": N_("Not attending"),
    "not_known": N_("The child is not known here"),
    "thanks": N_("Thank you! Your answer is recorded."),
    "changed": N_("Your answer is changed. Thank you!"),
    "used": N_("The answer is already recorded"),
    "too_late": N_("The answer can no longer be changed"),
    "invalid": N_("This link is not valid"),
    "invalid_detail": N_(
        "Please check that the whole link was opened, or contact the social worker."
    ),
    "expired": N_("This link has expired"),
    "expired_detail": N_("Please tell the district social worker about the attendance."),
    "bad_answer": N_("The answer was not recognised"),
    "bad_answer_detail": N_("Please go back and choose one of the answers."),
    "refused": N_("The answer could not be recorded"),
    "refused_detail": N_("Please contact the district social worker."),
}

# Each language's keyed texts, translated once: the pages and their tests look them up.
TEXTS: dict[str, dict[str, str]] = {
    lang: {key: translate(lang, msgid) for key, msgid in KEYED.items()} for lang, _name in LANGUAGES
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["ru"])
