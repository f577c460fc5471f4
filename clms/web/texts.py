"""The answer page's words, in Russian, Kazakh and English."""

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "title": "Посещаемость",
        "question": "Посещает ли {child} {provider}?",
        "due": "Контрольная дата: {due}",
        "attending_regularly": "Посещает регулярно",
        "attending_irregularly": "Посещает нерегулярно",
        "not_attending": "Не посещает",
        "not_known": "Ребёнок у нас не известен",
        "thanks": "Спасибо! Ваш ответ записан.",
        "invalid": "Ссылка недействительна",
    },
    "kk": {
        "title": "Сабаққа қатысу",
        "question": "{child} {provider} мекемесіне қатыса ма?",
        "due": "Бақылау күні: {due}",
        "attending_regularly": "Тұрақты қатысады",
        "attending_irregularly": "Тұрақсыз қатысады",
        "not_attending": "Қатыспайды",
        "not_known": "Бала бізге белгісіз",
        "thanks": "Рахмет! Жауабыңыз жазылды.",
        "invalid": "Сілтеме жарамсыз",
    },
    "en": {
        "title": "Attendance",
        "question": "Does {child} attend {provider}?",
        "due": "Check date: {due}",
        "attending_regularly": "Attending regularly",
        "attending_irregularly": "Attending irregularly",
        "not_attending": "Not attending",
        "not_known": "The child is not known here",
        "thanks": "Thank you! Your answer is recorded.",
        "invalid": "This link is not valid",
    },
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["ru"])
