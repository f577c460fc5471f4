"""Matching keys for children's names typed in several scripts.

Monitors in Kazakhstan, Kyrgyzstan and Tajikistan type the same child's name in
Kazakh or Russian Cyrillic, in the official Kazakh Latin alphabet (2021: ä ğ q ñ
ö ş ū ü ı), or in the informal "passport" Latin that people use on phones
("Zhanar", "Yerlan", "Assel"). "Жұмабаев", "Zhumabayev" and "Jumabaev" are one
surname. If the duplicate check compares raw strings, the same child gets a second
case and nobody sees the whole history.

`name_key` turns one name part into a key shared by its spellings. It folds only
*spelling* variants of one sound (zh/j, kh/h/x, q/k, y/i, doubled letters) and
keeps every vowel. Folding harder would merge different children, which does as
much harm as missing a duplicate. So Aigerim/Aigul, Marat/Murat, Dana/Dina and
Asel/Asem keep different keys.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Cyrillic letters to the informal Latin that monitors type. Letters that other
# Latin schemes spell differently (ж, х, ғ, қ, ы, ю, я ...) are unified later by
# name_key, so this table only needs one reasonable choice per letter.
_CYRILLIC: dict[str, str] = {
    # Russian
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",  # hard and soft signs are not sounds; passports drop them
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Kazakh (Kyrgyz shares ң ө ү). These follow Kazakh passport practice.
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    # Tajik (shares ғ қ)
    "ӣ": "i",
    "ӯ": "u",
    "ҳ": "h",
    "ҷ": "j",
    # Uzbek and Tatar families living in the region
    "ў": "o",  # Uzbek ў is Latin o'
    "җ": "zh",
    # Ukrainian letters turn up in surnames from other former Soviet republics
    "є": "ye",
    "ї": "yi",
    "ґ": "g",
}

# Latin letters that NFKD leaves alone (ı ə ß ...) or folds to the wrong sound
# (ş -> s, ç -> c). ğ ñ ä ö ü ū need no entry because NFKD folds them correctly.
_LATIN: dict[str, str] = {
    "ı": "i",
    "ə": "a",  # Latin schwa is often typed for Cyrillic ә
    "ş": "sh",
    "ș": "sh",
    "š": "sh",
    "ç": "ch",
    "č": "ch",
    "ž": "zh",
    "ŋ": "n",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
}

_TRANSLATION = str.maketrans(_CYRILLIC | _LATIN)

# Spellings of one sound -> one form. One regex scans left to right and takes the
# first alternative that matches at each position, so a cluster must come before
# its prefixes ("shch" before "sh"). "sh" and "ch" map to themselves so that their
# "h" is used up with them and is not read as an h-sound. The h-sounds become "x",
# not "h". A lone "h" would make a digraph with the letter before it, so Асхат
# ("askhat") would turn into "ashat" and be read with ш.
_CLUSTERS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),  # щ: spelt "sh" as often as "shch"
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),  # ж: zh (passport), j (Kazakh Latin 2021)
    ("sh", "sh"),  # kept whole so that its "h" is not read as an h-sound
    ("ch", "ch"),
    ("kh", "x"),  # х: kh, h, x (Uzbek/Tajik Latin)
    ("h", "x"),
    ("gh", "g"),  # ғ: gh, g, ğ
    ("ts", "c"),  # ц
    ("q", "k"),  # қ: q (Kazakh Latin) or k (passports)
    ("w", "u"),  # informal Kazakh Latin: "Wali" for Уәли
    ("y", "i"),  # й, ы, and the y of ye/yu/ya/yo: Aygerim = Aigerim = Aıgerim
)
_CLUSTER_FORM: dict[str, str] = dict(_CLUSTERS)
_CLUSTER_RE = re.compile("|".join(re.escape(spelling) for spelling, _ in _CLUSTERS))

_NON_LETTERS_RE = re.compile("[^a-z]+")
_DOUBLED_RE = re.compile(r"([a-z])\1+")
# Russian е is "ye" at the start of a word and after a vowel ("Yerlan",
# "Zhumabayev"), but "e" in Kazakh Latin and in many passports.
_GLIDE_E_RE = re.compile(r"(?:^|(?<=[aeou]))ie")
# Russian writes the h of Arabic names as г between vowels (Ибрагим = Ibrahim,
# Тагир = Tahir). The fold is limited to that position because Galym and Halim
# are different names.
_VOWEL_X_RE = re.compile(r"(?<=[aeiou])x(?=[aeiou])")


def transliterate(text: str) -> str:
    """Write `text` in lowercase ASCII Latin. Characters without a Latin form are dropped."""
    lowered = unicodedata.normalize("NFC", text).lower()
    # Translate again after NFKD, so that a Cyrillic letter with a combining mark
    # that is not in the table (ӑ, ӥ) still becomes its base letter.
    decomposed = unicodedata.normalize("NFKD", lowered.translate(_TRANSLATION))
    ascii_only = decomposed.translate(_TRANSLATION).encode("ascii", "ignore")
    return ascii_only.decode("ascii").lower()


@lru_cache(maxsize=65_536)  # every case saved asks it twice; first names repeat a lot
def name_key(name: str) -> str:
    """Return the matching key of one name part (a first name or a surname)."""
    key = _NON_LETTERS_RE.sub("", transliterate(name))
    # One pass can spell a new cluster from the pieces of two others ("шч" gives
    # "sh" + "ch" = "shch"), so fold until nothing changes. That makes the key of a
    # key the key itself. The loop ends because every change shortens the key,
    # replaces a q, w, y or h, or turns an x into g.
    while (folded := _fold(key)) != key:
        key = folded
    return key


def same_name(a: str, b: str) -> bool:
    """Whether two spellings are taken to be the same name part.

    A blank name is no evidence of identity, so it matches nothing, not even
    another blank. Otherwise every record without a name would count as a duplicate.
    """
    key = name_key(a)
    return key != "" and key == name_key(b)


def _fold(letters: str) -> str:
    # Doubled letters are collapsed before and after folding. Before, so that
    # "kkh" is read as "kh". After, so that "Aliyev" ("aliiev") = "Aliev".
    folded = _collapse_doubles(_fold_clusters(_collapse_doubles(letters)))
    without_glides = _collapse_doubles(_GLIDE_E_RE.sub("e", folded))
    return _VOWEL_X_RE.sub("g", without_glides)


def _fold_clusters(letters: str) -> str:
    return _CLUSTER_RE.sub(_cluster_form, letters)


def _cluster_form(match: re.Match[str]) -> str:
    return _CLUSTER_FORM[match.group()]


def _collapse_doubles(letters: str) -> str:
    # Doubling is inconsistent across scripts: Assel/Әсел, Farrukh/Farukh.
    return _DOUBLED_RE.sub(r"\1", letters)
