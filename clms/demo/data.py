"""The demo's tables: places, names, people, what children are found doing, the service
directory, what people write, and the pace of work. Plain data, read by the planner
(clms.demo.planner), the stories (clms.demo.stories) and the load (clms.demo)."""

from __future__ import annotations

from dataclasses import dataclass

from clms.domain.model import Category

# --- places --------------------------------------------------------------------------------

MAK, ZHT = "KZ-TUR-MAK", "KZ-TUR-ZHT"  # Turkestan region: the cotton belt
ALT, AUE = "KZ-ALA-ALT", "KZ-ALA-AUE"  # Almaty city: markets, car washes, the street
KAR, TEM = "KZ-KAR-KAR", "KZ-KAR-TEM"  # Karaganda region: markets, building sites
NEIGHBOUR = {MAK: ZHT, ZHT: MAK, ALT: AUE, AUE: ALT, KAR: TEM, TEM: KAR}
# The cotton districts find the most children; Temirtau is the smallest.
DISTRICT_WEIGHTS = {MAK: 3, ZHT: 2, ALT: 2, AUE: 2, KAR: 2, TEM: 1}

# fmt: off
# --- children's names ------------------------------------------------------------------------

GIRLS = ("Айгерім", "Мадина", "Аружан", "Әсел", "Жанар", "Дана", "Томирис", "Камила", "Алина",
         "Дильназ", "Анастасия", "Дарья", "Гүлназ", "Айдана", "Сабина", "Зарина")
BOYS = ("Нұрлан", "Ерлан", "Данияр", "Айбек", "Арман", "Нұрсұлтан", "Әлихан", "Тимур", "Мирас",
        "Ислам", "Бекзат", "Санжар", "Дмитрий", "Артём", "Рустам", "Шерзод")
# (his, hers): Russian-style surnames change with sex; Korean ones and -қали do not.
SURNAMES = (("Сапаров", "Сапарова"), ("Жұмабаев", "Жұмабаева"), ("Ахметов", "Ахметова"),
            ("Ким", "Ким"), ("Сейтқали", "Сейтқали"), ("Оспанов", "Оспанова"),
            ("Тұрсынов", "Тұрсынова"), ("Юсупов", "Юсупова"), ("Каримов", "Каримова"),
            ("Иванов", "Иванова"), ("Пак", "Пак"), ("Смағұлов", "Смағұлова"),
            ("Есенов", "Есенова"), ("Абдуллаев", "Абдуллаева"), ("Петренко", "Петренко"),
            ("Нұрпейісов", "Нұрпейісова"), ("Қасымов", "Қасымова"))
# Some monitors type on a phone in Latin, the way names are written in passports.
GIRLS_LATIN = ("Aigerim", "Madina", "Aruzhan", "Assel", "Zhanar", "Tomiris", "Kamila")
BOYS_LATIN = ("Daniyar", "Nurlan", "Yerlan", "Aibek", "Arman", "Timur", "Miras")
SURNAMES_LATIN = (("Seitkali", "Seitkali"), ("Saparov", "Saparova"), ("Kim", "Kim"),
                  ("Akhmetov", "Akhmetova"), ("Zhumabayev", "Zhumabayeva"),
                  ("Yusupov", "Yusupova"), ("Tursynov", "Tursynova"))
LATIN_SHARE = 0.15
# (first, last in Cyrillic, first, last as in the passport, sex): a child seen again by a
# monitor who types the passport spelling must attach to the open case (clms.domain.names).
SPELLINGS = (("Нұрлан", "Жұмабаев", "Nurlan", "Zhumabayev", "m"),
             ("Нурлан", "Жумабаев", "Nurlan", "Jumabaev", "m"),
             ("Ерлан", "Ахметов", "Yerlan", "Akhmetov", "m"),
             ("Айгерім", "Сапарова", "Aigerim", "Saparova", "f"),
             ("Әсел", "Жақсылықова", "Assel", "Zhaksylykova", "f"))

# --- people at work ------------------------------------------------------------------------

MONITORS = {
    MAK: ("Bakhytzhan Ospanov, labour inspector", "Gulnar Tursynova, teacher",
          "Rustam Yusupov, NGO volunteer"),
    ZHT: ("Saltanat Abenova, labour inspector", "Yerzhan Kaliyev, teacher"),
    ALT: ("Dinara Seitkazy, labour inspector", "Aliya Nurpeisova, NGO volunteer",
          "Sergei Lim, juvenile police inspector"),
    AUE: ("Marat Kenzhebekov, labour inspector", "Olga Sidorenko, NGO volunteer"),
    KAR: ("Yevgeny Pak, labour inspector", "Aigul Mukanova, teacher"),
    TEM: ("Zhanna Beisenova, labour inspector", "Vladimir Koval, NGO volunteer"),
}
SOCIAL_WORKERS = {MAK: "Aizhan Mukhametova", ZHT: "Nurgul Abdrakhmanova", ALT: "Svetlana Tsoi",
                  AUE: "Asem Zhakupova", KAR: "Irina Volkova", TEM: "Bauyrzhan Tleuov"}
SUPERVISORS = {"Turkestan": "Marat Baimukhanov", "Almaty city": "Yelena Kovalenko",
               "Karaganda": "Serik Zhakenov"}
# fmt: on

# --- what monitors find children doing ------------------------------------------------------

ALL_YEAR = tuple(range(1, 13))


@dataclass(frozen=True)
class Sighting:
    """A local pattern: what a monitor finds a child doing, at what ages, in which months.
    The ages are chosen so that the country's rules give the category the pattern is for
    (a "work" activity is child labour only below the minimum age of 16)."""

    activities: tuple[str, ...]
    ages: tuple[int, int]
    hours: tuple[int, int]
    note: str
    conditions: tuple[str, ...] = ()
    months: tuple[int, ...] = ALL_YEAR
    sex: str = ""  # "" for either
    in_school: bool | None = None  # None: a coin, 60% in school
    family_at_risk: bool = False
    light: bool = False  # with a parent's consent, in free time only
    weight: int = 4  # how often, among the district's patterns


# fmt: off
AUTUMN, SUMMER = (9, 10, 11), (5, 6, 7, 8)
TURKESTAN = (
    Sighting(("cotton_harvesting",), (10, 17), (30, 50), "picking cotton in a farm field in term",
             ("extreme_temperatures",), months=AUTUMN),
    Sighting(("cotton_harvesting",), (12, 17), (35, 55), "carrying sacks of cotton to the scales",
             ("heavy_loads",), months=AUTUMN),
    Sighting(("weeding",), (8, 15), (12, 30), "weeding a cotton field for a neighbouring farmer",
             months=(5, 6, 7)),
    Sighting(("tobacco",), (12, 17), (25, 40), "stringing tobacco leaves for drying",
             months=(7, 8, 9)),
    Sighting(("farming_vegetables",), (12, 17), (20, 35), "helping to spray pesticide on melons",
             ("chemicals",), months=SUMMER),
    Sighting(("farming_vegetables",), (9, 15), (10, 24), "working on the family's vegetable plot",
             months=(4, *SUMMER, 9, 10)),
    Sighting(("livestock",), (9, 15), (15, 35), "herding neighbours' sheep instead of school"),
)
ALMATY = (
    Sighting(("market_vending",), (9, 15), (12, 35), "selling clothes at the Barakholka market"),
    Sighting(("street_vending",), (8, 14), (10, 24), "selling water and flowers at a crossing"),
    Sighting(("car_washing",), (11, 15), (18, 40), "washing cars at a roadside car wash"),
    Sighting(("car_washing",), (15, 17), (40, 60), "washing cars with chemical cleaners at night",
             ("chemicals", "night_work")),
    Sighting(("restaurant_work",), (14, 17), (30, 50), "waiting tables and washing up in a café",
             ("night_work",)),
    # A few worst forms, found with the police: rarer than the rest.
    Sighting(("forced_begging",), (7, 12), (30, 60), "begging at a bus stop for an adult",
             weight=1),
    Sighting(("commercial_sexual_exploitation",), (15, 17), (10, 30),
             "found in a police check of a sauna", ("abuse", "night_work"), sex="f", weight=1),
    Sighting(("trafficking",), (13, 17), (50, 70),
             "brought from a village with a promise of work; documents taken", ("abuse",),
             weight=1),
)
KARAGANDA = (
    Sighting(("market_vending",), (9, 15), (12, 30), "selling vegetables at the central market"),
    Sighting(("transporting_goods",), (11, 17), (25, 45), "pushing traders' carts at the market",
             ("heavy_loads",)),
    Sighting(("construction",), (14, 17), (35, 50), "carrying bricks on a building's scaffolding",
             ("underground_or_heights", "heavy_loads")),
    Sighting(("gas_station",), (14, 17), (30, 48), "refuelling cars on night shifts",
             ("night_work",)),
    Sighting(("domestic_work",), (10, 15), (18, 36), "cleaning and minding children for a family"),
)
WORK = {MAK: TURKESTAN, ZHT: TURKESTAN, ALT: ALMATY, AUE: ALMATY, KAR: KARAGANDA, TEM: KARAGANDA}
AT_RISK = (
    Sighting((), (7, 17), (0, 0), "out of school since the family moved; no place found yet",
             in_school=False),
    Sighting((), (7, 17), (0, 0), "parents work in Russia; a grandmother who cannot cope",
             family_at_risk=True),
    Sighting((), (9, 15), (0, 0), "stopped going to school; seen at the market with older boys",
             in_school=False),
    Sighting((), (7, 14), (0, 0), "father disabled, mother out of work; a brother already works",
             family_at_risk=True),
)
PERMITTED = (
    Sighting(("market_vending",), (16, 17), (8, 18), "helps at the family stall after classes",
             in_school=True),
    Sighting(("farming_vegetables",), (16, 17), (8, 18), "summer job on a farm, legal hours",
             in_school=True),
    Sighting(("market_vending",), (14, 15), (6, 12), "weekends at the stall; the parents agree",
             in_school=True, light=True),
)
NO_CONCERN = (
    Sighting((), (7, 17), (0, 0), "at the market with the mother, shopping", in_school=True),
    Sighting((), (9, 15), (0, 0), "playing football next to a car wash", in_school=True),
)
# fmt: on
# What each need accepts: the tables must not silently disagree with the rules.
LABOUR = {Category.WORST_FORM, Category.HAZARDOUS, Category.BELOW_MINIMUM_AGE}
NEEDS = {
    "labour": LABOUR,
    "ordinary": LABOUR - {Category.WORST_FORM},
    "worst": {Category.WORST_FORM},
    "at_risk": {Category.AT_RISK},
    "permitted": {Category.PERMITTED_WORK},
    "no_concern": {Category.NO_CONCERN},
}
NOT_WORK = {"at_risk": AT_RISK, "permitted": PERMITTED, "no_concern": NO_CONCERN}

# fmt: off
# --- the service directory --------------------------------------------------------------------

# (code, name, district, offers): an offer is a service type in the provider's own district,
# or "service@district" for a neighbouring district it serves too.
PROVIDERS = (
    ("MAK-SL12", "School-lyceum No. 12 named after Abai", MAK, ("school",)),
    ("MAK-SS3", "Atakent Secondary School No. 3", MAK, ("school",)),
    ("MAK-AGRO", "Maktaaral Agrarian College", MAK,
     ("vocational_training", f"vocational_training@{ZHT}")),
    ("MAK-HOSP", "Maktaaral Central District Hospital", MAK, ("health", f"health@{ZHT}")),
    ("ZHT-SS7", "Secondary School No. 7 named after Kurmangazy", ZHT, ("school",)),
    ("ZHT-NFE", "Zhetisay Centre for Non-Formal Education «Bilim»", ZHT,
     ("non_formal_education", f"non_formal_education@{MAK}")),
    ("ALT-SS175", "Secondary School No. 175", ALT, ("school",)),
    ("ALT-COLL", "Almaty College of Construction and Service", ALT,
     ("vocational_training", f"vocational_training@{AUE}")),
    ("ALT-SHELTER", "«Qorgau» Shelter for Victims of Trafficking", ALT,
     ("shelter", f"shelter@{AUE}", "psychosocial")),
    ("AUE-GYM159", "Gymnasium No. 159 named after Ybyrai Altynsarin", AUE, ("school",)),
    ("AUE-NFE", "«Zhastar» Youth Centre for Non-Formal Education", AUE,
     ("non_formal_education", f"non_formal_education@{ALT}")),
    ("AUE-CAM", "Centre for Adaptation of Minors, Almaty", AUE,
     ("adaptation_centre", f"adaptation_centre@{ALT}")),
    ("AUE-LAW", "«Zan Komek» Legal Aid NGO", AUE,
     ("legal_aid", f"legal_aid@{ALT}", "psychosocial", f"psychosocial@{ALT}")),
    ("KAR-SS45", "Secondary School No. 45", KAR, ("school",)),
    ("KAR-POLY", "Karaganda Polytechnic College", KAR,
     ("vocational_training", f"vocational_training@{TEM}")),
    ("KAR-NFE", "Karaganda Youth Resource Centre", KAR,
     ("non_formal_education", f"non_formal_education@{TEM}")),
    ("TEM-SS16", "Secondary School No. 16, Temirtau", TEM, ("school",)),
    ("TEM-POLY", "Temirtau Higher Polytechnic College", TEM, ("vocational_training",)),
)
# Where a child is referred: a worst form to protection first, others to school or training.
WORST_SERVICES = {"forced_begging": ("adaptation_centre",), "trafficking": ("shelter",),
                  "commercial_sexual_exploitation": ("shelter", "adaptation_centre")}
AT_RISK_SERVICES = ("school", "non_formal_education", "psychosocial")
LABOUR_SERVICES = ("school", "non_formal_education", "vocational_training")

# --- what people write -----------------------------------------------------------------------

ASSESSMENTS = {
    "worst": ("seen with a psychologist and the juvenile police inspector: not safe at home, "
              "needs protection today",),
    "labour": ("home visit: the family needs the child's earnings; the parents agree to a "
               "return to study",
               "home visit: the child works to help pay a family debt; the mother wants the "
               "child back in school"),
    "at_risk": ("home visit: the family needs support to keep the child in school",
                "home visit: the grandmother asks for help; the child wants to study"),
}
DECLINES = ("no places left in the group this term", "the intake is closed until September",
            "too far from the child's village for daily attendance")
FOLLOW_UPS = {  # (note, evidence)
    "good": (("attending every day; the teacher confirms", "school attendance register"),
             ("attending; no sign of work at the home visit", "home visit")),
    "absent": (("missed most of the month; says the child helps at home",
                "school attendance register"),),
    "working": (("found working again in school hours", "monitor's visit"),),
}
LOSSES = ("the family left for seasonal work in Russia; phones switched off",
          "not at the address; neighbours say the family moved, no new address")
MOVES = ("the family moved to Shymkent; the file went to the Shymkent social services",
         "moved with the mother to Astana; the Astana akimat was told")
SCREENED_OUT = {
    Category.PERMITTED_WORK: "permitted work within the legal hours; attends school",
    Category.NO_CONCERN: "not working and in school: the monitor's concern was not confirmed",
}

# --- the pace of work ------------------------------------------------------------------------

# How long each step takes, in hours: (urgent, normal). A worst form must be referred within
# 24 hours of being found; the other deadlines are days (config/countries/kz.toml). At the
# slowest normal pace a case is in service 20 days after it was identified: the windows of
# the stories (their catalogue, in clms.demo.stories) leave room for that.
PACE = {"assess": ((1, 6), (4, 72)), "refer": ((1, 8), (24, 120)),
        "answer": ((2, 20), (24, 120)), "start": ((4, 48), (24, 168))}
# fmt: on
