"""The answer page's words, in Russian, Kazakh and English: every language has every key
(tests/web checks it), so a refusal never falls back to another language's words."""

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
        "invalid_detail": (
            "Проверьте, что ссылка открыта целиком, или обратитесь к социальному работнику."
        ),
        "expired": "Срок действия ссылки истёк",
        "expired_detail": "Пожалуйста, сообщите о посещаемости социальному работнику района.",
        "used": "Ответ уже записан",
        "bad_answer": "Ответ не распознан",
        "bad_answer_detail": "Пожалуйста, вернитесь и выберите один из вариантов.",
        "refused": "Ответ не удалось записать",
        "refused_detail": "Пожалуйста, свяжитесь с социальным работником района.",
        "your_answer": "Ваш ответ: {answer}",
        "back": "Вернуться к вопросу",
        "changed": "Ответ изменён. Спасибо!",
        "change_hint": "Ошиблись? Ответ можно изменить ещё {minutes} мин.:",
        "too_late": "Ответ уже нельзя изменить",
        "final_detail": "Чтобы изменить ответ, свяжитесь с социальным работником района.",
        "social_worker": "Социальный работник: {worker}",
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
        "invalid_detail": (
            "Сілтеменің толық ашылғанын тексеріңіз немесе әлеуметтік қызметкерге хабарласыңыз."
        ),
        "expired": "Сілтеменің мерзімі өтті",
        "expired_detail": "Сабаққа қатысу туралы аудандық әлеуметтік қызметкерге хабарлаңыз.",
        "used": "Жауап жазылып қойған",
        "bad_answer": "Жауап танылмады",
        "bad_answer_detail": "Артқа оралып, жауаптардың бірін таңдаңыз.",
        "refused": "Жауапты жазу мүмкін болмады",
        "refused_detail": "Аудандық әлеуметтік қызметкерге хабарласыңыз.",
        "your_answer": "Сіздің жауабыңыз: {answer}",
        "back": "Сұраққа оралу",
        "changed": "Жауап өзгертілді. Рахмет!",
        "change_hint": "Қателестіңіз бе? Жауапты тағы {minutes} минут ішінде өзгертуге болады:",
        "too_late": "Жауапты енді өзгерту мүмкін емес",
        "final_detail": "Жауапты өзгерту үшін аудандық әлеуметтік қызметкерге хабарласыңыз.",
        "social_worker": "Әлеуметтік қызметкер: {worker}",
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
        "invalid_detail": (
            "Please check that the whole link was opened, or contact the social worker."
        ),
        "expired": "This link has expired",
        "expired_detail": "Please tell the district social worker about the attendance.",
        "used": "The answer is already recorded",
        "bad_answer": "The answer was not recognised",
        "bad_answer_detail": "Please go back and choose one of the answers.",
        "refused": "The answer could not be recorded",
        "refused_detail": "Please contact the district social worker.",
        "your_answer": "Your answer: {answer}",
        "back": "Back to the question",
        "changed": "Your answer is changed. Thank you!",
        "change_hint": "Clicked by mistake? You can change the answer for {minutes} more minutes:",
        "too_late": "The answer can no longer be changed",
        "final_detail": "To change it, please contact the district social worker.",
        "social_worker": "Social worker: {worker}",
    },
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["ru"])
