"""A realistic Kazakhstan demo, loaded through the use cases only.

`load` adds a service directory, then tells `cases` children's stories. A story is one
child's case acted out command by command (identify, assess, refer, answer, start the
service, follow up, close ...), each command dated after the one before it and none after
the app's clock. So every case has a true history that replays to its state, every
deadline is real, and the lists and the overdue view have something honest to show.
Nothing here writes a row, and nothing catches a refusal: a use case refusing an act is a
bug in the demo, and it is raised for the tests to see.

Reading order: the tables (places, names, people, what children are found doing, the
directory, the pace of work), `load`, the planner that draws the children, `Story` (the
acts), one function per story, and last the catalogue of stories, with how often each is
told.
"""

from __future__ import annotations

import random
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from clms.bootstrap import App
from clms.domain.errors import InvalidInput
from clms.domain.model import (
    Actor,
    Case,
    Category,
    Child,
    ClosureReason,
    FollowUpState,
    Observation,
    Priority,
    Provider,
    Role,
)
from clms.ports import CaseQuery, ChildKey, StaffMember
from clms.services import cases as services
from clms.services import commands as c
from clms.services import directory
from clms.states import CASE_LIFECYCLE

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
# the stories (at the end) leave room for that.
PACE = {"assess": ((1, 6), (4, 72)), "refer": ((1, 8), (24, 120)),
        "answer": ((2, 20), (24, 120)), "start": ((4, 48), (24, 168))}
# fmt: on
ALL = 1_000_000  # a list limit that means every case


# --- the run -------------------------------------------------------------------------------


def load(app: App, cases: int = 300, seed: int = 7, if_empty: bool = False) -> dict[str, int]:
    """Add the directory and tell `cases` children's stories; returns what was loaded."""
    if cases < 0:
        raise InvalidInput("the number of cases cannot be negative", field="cases")
    if if_empty and services.list_cases(CaseQuery(limit=1), app.uow()):
        return {"skipped": 1, "providers": 0, "cases": 0}
    existing = len(services.list_cases(CaseQuery(limit=ALL), app.uow()))
    # The same seed tells the same stories on an empty database; on one that has cases it
    # tells new ones, so that loading twice never meets its own children again.
    demo = Demo(app, app.clock(), random.Random(f"{seed}/{existing}"), existing)
    added = _add_directory(demo)
    staff = _add_staff(demo)
    for plan in _plan_all(demo, cases):
        plan.kind.tell(Story(demo, plan))
    return {**_counts(demo, added, cases), "staff": staff}


@dataclass
class Demo:
    """What every story shares: the app, the clock, the dice, the directory and the tally."""

    app: App
    now: datetime
    rng: random.Random
    existing: int  # cases in the database before this load
    providers: list[Provider] = field(default_factory=list)
    cases: dict[str, Case | None] = field(default_factory=dict)  # made here, as last saved
    tally: Counter[str] = field(default_factory=Counter)

    def submission_id(self) -> str:
        return f"uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}"  # as ODK sends

    def is_new(self, key: ChildKey, used: set[ChildKey]) -> bool:
        """Whether no open case has this child yet (if one had, the child would attach)."""
        if key in used:
            return False
        if not self.existing:
            return True
        with self.app.uow() as uow:
            return uow.cases.open_case_of(key) is None

    def placement(self, story: Story, avoid: str) -> tuple[str, str]:
        """A (service type, provider) that fits the child's age today and is offered in the
        child's district, at another provider than `avoid` when there is one."""
        child, age = story.child, story.child.age_on(story.t.date())
        wanted = _services_wanted(story.category, story.plan.seen.activities)
        types = [self.app.rules.service_type(code) for code in wanted]
        fits = [s.code for s in types if s.min_age <= age <= s.max_age]
        options = [
            (s, p.code) for s in fits for p in self.providers if p.offers_in(s, child.district)
        ]
        if not options:
            raise LookupError(f"the demo directory has no {fits} in {child.district}")
        return self.rng.choice([o for o in options if o[1] != avoid] or options)


def _services_wanted(category: Category, activities: tuple[str, ...]) -> tuple[str, ...]:
    for code in activities:
        if code in WORST_SERVICES:
            return WORST_SERVICES[code]
    return AT_RISK_SERVICES if category is Category.AT_RISK else LABOUR_SERVICES


def _add_directory(demo: Demo) -> int:
    """Adds the providers not there yet (a second load reuses them); returns how many."""
    known = {p.code for p in directory.list_providers(demo.app.uow())}
    fresh = [_provider(*row) for row in PROVIDERS if row[0] not in known]
    for provider in fresh:
        directory.add_provider(provider, demo.app.uow(), demo.app.rules)
    demo.providers = directory.list_providers(demo.app.uow())
    return len(fresh)


def _provider(code: str, name: str, district: str, offers: tuple[str, ...]) -> Provider:
    served = frozenset(directory.parse_offer(offer, district) for offer in offers)
    # Schools answer by e-mail; the hospital has no usable contact, to show the task the
    # daily check leaves for the social worker instead.
    email = "" if code.endswith("HOSP") else f"{code.lower()}@edu.example.kz"
    return Provider(code, name, district, served, phone=_phone(code), email=email)


def _phone(seed: str) -> str:
    digits = f"{zlib.crc32(seed.encode()) % 10_000_000:07d}"
    return f"+7701{digits}"


def _add_staff(demo: Demo) -> int:
    """The district social workers (SMS) and regional supervisors who get reminders."""
    known = {(m.role, m.area) for m in directory.list_staff(demo.app.uow())}
    staff = [
        StaffMember(name, "social_worker", area, phone=_phone(name))
        for area, name in SOCIAL_WORKERS.items()
    ]
    staff += [
        StaffMember(name, "supervisor", region, email=f"{name.split()[0].lower()}@mlsp.example.kz")
        for region, name in SUPERVISORS.items()
    ]
    fresh = [m for m in staff if (m.role, m.area) not in known]
    for member in fresh:
        directory.add_staff(member, demo.app.uow(), demo.app.rules)
    return len(fresh)


def _counts(demo: Demo, providers: int, children: int) -> dict[str, int]:
    everything = services.list_cases(CaseQuery(limit=ALL), demo.app.uow())
    mine = [row for row in everything if row.number in demo.cases]
    states = Counter(row.state for row in mine)
    closed = Counter(case.closure_reason for case in demo.cases.values() if case)
    return {
        "providers": providers,
        "children": children,
        "identifications": demo.tally["identifications"],
        "duplicate_submissions": demo.tally["already recorded"],
        "reidentified": demo.tally["attached"],
        "cases": len(mine),
        **{f"state:{state}": states[state] for state in CASE_LIFECYCLE.states},
        **{f"closed:{reason.value}": closed[reason] for reason in ClosureReason if closed[reason]},
        "relapses": demo.tally["relapses"],
        "reopened": demo.tally["reopened"],
        "overdue": sum(1 for row in mine if row.next_action_due and row.next_action_due < demo.now),
    }


# --- the planner: who is seen, where, when, doing what -----------------------------------------


@dataclass(frozen=True)
class Plan:
    kind: Kind
    need: str  # a key of NEEDS
    child: Child
    seen: Observation
    alias: Child | None = None  # the same child as spelled in the passport
    twin: Child | None = None  # the same child, registered again in the next district


def _plan_all(demo: Demo, n: int) -> list[Plan]:
    """One plan per child, sorted by the moment the child is seen, so that case numbers
    follow the calendar as they would in the field."""
    used: set[ChildKey] = set()
    plans = [_plan(demo, kind, used) for kind in _allocate(n, demo.rng)]
    return sorted(plans, key=lambda plan: plan.seen.observed_at)


def _allocate(n: int, rng: random.Random) -> list[Kind]:
    """One of each story first, so that even a small demo shows every state."""
    first = list(STORIES[:n])
    weights = [kind.weight for kind in STORIES]
    return first + rng.choices(STORIES, weights=weights, k=n - len(first))


def _plan(demo: Demo, kind: Kind, used: set[ChildKey]) -> Plan:
    rng = demo.rng
    need = rng.choice(kind.needs)
    district = _district(rng, need)
    seen_at = _seen_at(rng, demo.now, kind.window)
    sighting = _sighting(rng, need, district, seen_at.month, kind.aged_out)
    while True:  # draw again while an open case has this child: it would attach to it
        plan = _draw_child(demo, kind, need, sighting, district, seen_at)
        keys = [services.child_key(child) for child in (plan.child, plan.twin) if child]
        if all(demo.is_new(key, used) for key in keys):
            used.update(keys)
            return plan


def _district(rng: random.Random, need: str) -> str:
    if need == "worst":  # the worst forms in the tables are Almaty's
        return rng.choice([d for d, found in WORK.items() if any(map(_is_worst, found))])
    return rng.choices(list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values()))[0]


def _seen_at(rng: random.Random, now: datetime, window: tuple[int, int]) -> datetime:
    """A daytime moment `window` days before now (03:00-13:00 UTC is 08:00-18:00 local)."""
    day = (now - timedelta(days=rng.uniform(*window))).date()
    return datetime.combine(day, time(3), tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600))


def _sighting(rng: random.Random, need: str, district: str, month: int, aged_out: bool) -> Sighting:
    """A pattern for the need, in season when one is (cotton in autumn, weeding in summer)."""
    found = NOT_WORK.get(need, WORK[district])
    fitting = [s for s in found if need == "labour" or _is_worst(s) == (need == "worst")]
    fitting = [s for s in fitting if not aged_out or s.ages[0] <= 17 <= s.ages[1]]
    in_season = [s for s in fitting if month in s.months] or fitting
    return rng.choices(in_season, weights=[s.weight for s in in_season])[0]


def _is_worst(sighting: Sighting) -> bool:
    return any(code in WORST_SERVICES for code in sighting.activities)


def _draw_child(
    demo: Demo, kind: Kind, need: str, sighting: Sighting, district: str, seen_at: datetime
) -> Plan:
    rng = demo.rng
    sex = sighting.sex or rng.choice("fm")
    (first, last), passport = _name(rng, sex, kind.alias)
    if kind.aged_out:
        born = _born_to_age_out(rng, seen_at, demo.now)
    else:
        born = _born(rng, rng.randint(*sighting.ages), seen_at.date(), demo.now.date())
    child = Child(first, last, born, sex, district)
    alias = replace(child, first_name=passport[0], last_name=passport[1]) if passport else None
    twin = replace(child, district=NEIGHBOUR[district]) if kind.twin else None
    return Plan(kind, need, child, _observation(demo, sighting, district, seen_at), alias, twin)


def _name(rng: random.Random, sex: str, alias: bool) -> tuple[tuple[str, str], list[str] | None]:
    """(first, last), and the passport spelling when the story needs one."""
    if alias:
        first, last, *passport, _ = rng.choice([s for s in SPELLINGS if s[4] == sex])
        return (first, last), passport
    latin = rng.random() < LATIN_SHARE
    girls, boys = (GIRLS_LATIN, BOYS_LATIN) if latin else (GIRLS, BOYS)
    his, hers = rng.choice(SURNAMES_LATIN if latin else SURNAMES)
    if sex == "f":
        return (rng.choice(girls), hers), None
    return (rng.choice(boys), his), None


def _born(rng: random.Random, age: int, seen: date, today: date) -> date:
    """A birthday that makes the child `age` when seen and still under 18 today, so that
    every referral in the story fits a service for children."""
    latest = _years_before(seen, age)
    earliest = max(_years_before(seen, age + 1), _years_before(today, 18)) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _born_to_age_out(rng: random.Random, seen_at: datetime, now: datetime) -> date:
    """17 when seen, 18 at least 20 days ago: the case can close as aged out."""
    first, last = seen_at.date() + timedelta(days=100), now.date() - timedelta(days=20)
    eighteenth = first + timedelta(days=rng.randint(0, (last - first).days))
    return _years_before(eighteenth, 18)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _observation(demo: Demo, sighting: Sighting, district: str, seen_at: datetime) -> Observation:
    rng = demo.rng
    in_school = rng.random() < 0.6 if sighting.in_school is None else sighting.in_school
    return Observation(
        submission_id=demo.submission_id(),
        monitor=rng.choice(MONITORS[district]),
        observed_at=seen_at,
        activities=sighting.activities,
        conditions=sighting.conditions,
        hours_per_week=rng.randint(*sighting.hours) if sighting.activities else None,
        parent_consent=sighting.light,
        free_time_only=sighting.light,
        in_school=in_school,
        family_at_risk=sighting.family_at_risk,
        note=sighting.note,
    )


# --- a story: one child's case, act by act ----------------------------------------------------


class Story:
    """Acts on one case through the use cases. `t` is the moment of the latest act: it only
    moves forward, and never past the demo's clock."""

    def __init__(self, demo: Demo, plan: Plan) -> None:
        self.demo, self.plan, self.rng = demo, plan, demo.rng
        self.child, self.t = plan.child, plan.seen.observed_at
        self.number, self.provider = "", ""
        self.category, self.urgent = Category.NO_CONCERN, False
        self.case: Case | None = None

    # Time.

    def wait(self, hours: tuple[float, float]) -> None:
        self.t += timedelta(minutes=self.rng.randint(int(hours[0] * 60), int(hours[1] * 60)))
        self._check_time()

    def pace(self, step: str) -> None:
        urgent, normal = PACE[step]
        self.wait(urgent if self.urgent else normal)

    def on(self, day: date) -> None:
        """A visit in office hours on `day`, typed in up to a day later."""
        visit = datetime.combine(day, time(4), tzinfo=UTC)
        self.t = max(self.t, visit + timedelta(minutes=self.rng.randint(0, 1800)))
        self._check_time()

    def _check_time(self) -> None:
        if self.t > self.demo.now:
            raise RuntimeError(f"demo bug: {self.plan.kind.tell.__name__} ran past the clock")

    # Who acts.

    @property
    def worker(self) -> Actor:
        return Actor(SOCIAL_WORKERS[self.child.district], Role.SOCIAL_WORKER)

    @property
    def supervisor(self) -> Actor:
        region = self.demo.app.rules.district(self.child.district).region
        return Actor(SUPERVISORS[region], Role.SUPERVISOR)

    # Acts.

    def open(self) -> None:
        """The first identification opens the case, in a category the plan's need allows."""
        found = self.sight(self.child, self.plan.seen, "opened")
        if found.classification.category not in NEEDS[self.plan.need]:
            raise RuntimeError(f"demo tables disagree with the rules: {found.classification}")

    def sight(self, child: Child, seen: Observation, expect: str) -> services.Identified:
        """Sends an identification (phones sync a few hours after the sighting)."""
        self.t = max(self.t, seen.observed_at) + timedelta(minutes=self.rng.randint(5, 240))
        self._check_time()
        command = c.Identify(child, seen, self.t)
        found = services.identify(command, self.demo.app.uow(), self.demo.app.rules)
        if found.outcome != expect:
            raise RuntimeError(f"demo bug: {child.display_name} {found.outcome}, not {expect}")
        self.demo.tally.update(["identifications", found.outcome])
        self.demo.cases.setdefault(found.case_number, None)
        self.number = self.number or found.case_number
        self.category = found.classification.category
        self.urgent = found.classification.priority is Priority.URGENT
        return found

    def resighting(self, district: str) -> Observation:
        """The same child seen again now, by another monitor, in a new submission."""
        others = [m for m in MONITORS[district] if m != self.plan.seen.monitor]
        monitor, submission = self.rng.choice(others), self.demo.submission_id()
        return replace(
            self.plan.seen, submission_id=submission, monitor=monitor, observed_at=self.t
        )

    def act(
        self,
        use_case: Callable[..., Case],
        command: type[c.CaseCommand],
        actor: Actor | None = None,
        **fields: Any,
    ) -> None:
        cmd = command(self.number, actor or self.worker, self.t, **fields)
        self.case = use_case(cmd, self.demo.app.uow(), self.demo.app.rules)
        self.demo.cases[self.number] = self.case

    def assess(self) -> None:
        self.pace("assess")
        kind = (
            "worst" if self.urgent else "at_risk" if self.category is Category.AT_RISK else "labour"
        )
        self.act(services.assess, c.Assess, reason=self.rng.choice(ASSESSMENTS[kind]))

    def refer(self) -> None:
        """To a service that fits the child, at another provider than the last one."""
        self.pace("refer")
        service, self.provider = self.demo.placement(self, avoid=self.provider)
        self.act(services.refer, c.Refer, provider=self.provider, service_type=service)

    def answer(self, accepted: bool) -> None:
        self.pace("answer")
        reason = "" if accepted else self.rng.choice(DECLINES)
        self.act(services.answer_referral, c.AnswerReferral, accepted=accepted, reason=reason)

    def start(self) -> None:
        self.pace("start")
        self.act(services.start_service, c.StartService, started_on=self.t.date())

    def into_service(self) -> None:
        self.assess()
        self.refer()
        self.answer(accepted=True)
        self.start()

    def follow_up(self, outcome: str = "good") -> None:
        """The next scheduled visit, on its due date: the closing rule counts from those."""
        assert self.case is not None
        due = self.case.scheduled_follow_ups()[0].due_on
        self.on(due)
        note, evidence = self.rng.choice(FOLLOW_UPS[outcome])
        attending, working = outcome == "good", outcome == "working"
        self.act(
            services.record_follow_up,
            c.RecordFollowUp,
            reason=note,
            visited_on=due,
            attending=attending,
            working=working,
            evidence=evidence,
        )
        self.demo.tally["relapses"] += working

    def follow_ups_due(self) -> int:
        """How many scheduled visits were due three days ago (time to type them in)."""
        assert self.case is not None
        by = self.demo.now.date() - timedelta(days=3)
        scheduled = (f for f in self.case.follow_ups if f.state is FollowUpState.SCHEDULED)
        return sum(1 for f in scheduled if f.due_on <= by)

    def close(self, closure: ClosureReason, reason: str = "", actor: Actor | None = None) -> None:
        self.wait((24, 168))
        self.act(services.close, c.Close, actor, closure=closure, reason=reason)

    def screen_out(self) -> None:
        self.pace("assess")
        self.act(services.screen_out, c.ScreenOut, reason=SCREENED_OUT[self.category])

    def mark_lost(self) -> None:
        self.wait((72, 480))
        self.act(services.mark_lost, c.MarkLost, reason=self.rng.choice(LOSSES))

    def resume(self) -> None:
        self.wait((336, 1080))
        self.act(services.resume, c.Resume, reason="found: back from seasonal work, at school")

    def reopen(self, reason: str) -> None:
        self.wait((480, 1440))
        self.act(services.reopen, c.Reopen, self.supervisor, reason=reason)
        self.demo.tally["reopened"] += 1


# --- the stories --------------------------------------------------------------------------


def _story_identified(s: Story) -> None:
    s.open()  # nobody has assessed the child yet: overdue after 7 days


def _story_assessed(s: Story) -> None:
    s.open()
    s.assess()  # no referral yet: overdue after 14 days


def _story_referred(s: Story) -> None:
    s.open()
    s.assess()
    s.refer()  # waiting for the provider's answer


def _story_accepted(s: Story) -> None:
    _story_referred(s)
    s.answer(accepted=True)  # the child has a place; the service has not started


def _story_declined(s: Story) -> None:
    _story_referred(s)
    s.answer(accepted=False)  # the case needs a new referral


def _story_redirected(s: Story) -> None:
    _story_declined(s)
    s.refer()  # to another provider


def _story_in_service(s: Story) -> None:
    s.open()
    s.into_service()
    _keep_visiting(s)


def _keep_visiting(s: Story) -> None:
    for _ in range(s.follow_ups_due()):
        s.follow_up("good")


def _carry_on(s: Story) -> None:
    """The rest of an ordinary story, after its twist: into service, visited when due."""
    s.refer()
    s.answer(accepted=True)
    s.start()
    _keep_visiting(s)


def _story_struggling(s: Story) -> None:
    """In service, but missing school at the latest visit: unsatisfactory for now."""
    s.open()
    s.into_service()
    due = s.follow_ups_due()
    for visit in range(due):
        s.follow_up("good" if visit < due - 1 else "absent")


def _story_visit_missed(s: Story) -> None:
    s.open()
    s.into_service()  # the first visit is due and nobody has been: overdue


def _story_withdrawn(s: Story) -> None:
    """Withdrawn needs two satisfactory visits in a row, 90 days apart: the visits at 90 and
    180 days are, so a bad first month does not stand in the way."""
    s.open()
    s.into_service()
    s.follow_up(s.rng.choices(["good", "absent"], [3, 1])[0])
    s.follow_up()
    s.follow_up()
    s.close(ClosureReason.WITHDRAWN, "in school for six months, no work found at any visit")


def _story_prevented(s: Story) -> None:
    s.open()  # a child at risk, never in child labour
    s.into_service()
    s.follow_up()
    s.close(ClosureReason.PREVENTED, "back in school and the family is supported")


def _story_aged_out(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up()
    eighteenth = _years_before(s.child.birth_date, -18) + timedelta(days=1)  # 29 Feb: 1 Mar
    s.t = max(s.t, datetime.combine(eighteenth, time(4), tzinfo=UTC))
    s.close(ClosureReason.AGED_OUT, "turned 18; stays at the college as an adult")


def _story_moved(s: Story) -> None:
    _story_referred(s)
    s.wait((48, 600))
    s.close(ClosureReason.MOVED, s.rng.choice(MOVES))


def _story_duplicate(s: Story) -> None:
    """The family crosses into the next district and a monitor there registers the child
    again: that district's social worker closes the second case as a duplicate."""
    assert s.plan.twin is not None
    s.open()
    s.assess()
    s.wait((48, 480))
    twin = Story(s.demo, replace(s.plan, child=s.plan.twin))
    twin.t = s.t
    twin.sight(s.plan.twin, s.resighting(s.plan.twin.district), "opened")
    twin.close(ClosureReason.DUPLICATE, f"the same child as case {s.number}, next district")
    s.t = twin.t
    _carry_on(s)


def _story_closed_other(s: Story) -> None:
    s.open()
    s.assess()
    reason = "placed in a children's village by the guardianship authority, which follows it"
    s.close(ClosureReason.OTHER, reason, s.supervisor)


def _story_lost(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up("absent")
    s.mark_lost()


def _story_found_again(s: Story) -> None:
    _story_lost(s)
    s.resume()  # back in service, where the case was
    _keep_visiting(s)


def _story_relapsed(s: Story) -> None:
    s.open()
    s.into_service()
    s.follow_up("working")  # a relapse: back to assessed, needing a new referral


def _story_relapsed_and_referred(s: Story) -> None:
    _story_relapsed(s)
    _carry_on(s)


def _story_reopened(s: Story) -> None:
    """Closed when the family moved away; they came back and the child works again."""
    s.open()
    s.into_service()
    s.follow_up()
    s.close(ClosureReason.MOVED, s.rng.choice(MOVES))
    s.reopen("the family came back and the child was seen working again")
    _carry_on(s)


def _story_screened_out(s: Story) -> None:
    s.open()  # permitted work, or no concern: not a case to follow
    s.screen_out()


def _story_sent_twice(s: Story) -> None:
    s.open()
    s.sight(s.child, s.plan.seen, "already recorded")  # the phone sent the form again
    s.assess()
    _carry_on(s)


def _story_seen_again(s: Story) -> None:
    """Another monitor types the passport spelling: it attaches to the open case."""
    assert s.plan.alias is not None
    s.open()
    s.assess()
    s.wait((240, 720))
    s.sight(s.plan.alias, s.resighting(s.child.district), "attached")
    _carry_on(s)


# --- the catalogue: each story, how often, for which children, first seen when --------------


@dataclass(frozen=True)
class Kind:
    """A story: how often it is told (weight), the needs its child is drawn from, and the
    window of days before the clock in which the child is first seen. Each window leaves
    room for the whole story at the slowest pace (20 days to a service, visits 30, 90 and
    180 days after it starts, a week to close), so no act is dated after the clock."""

    tell: Callable[[Story], None]
    weight: int
    needs: tuple[str, ...]
    window: tuple[int, int]
    alias: bool = False
    twin: bool = False
    aged_out: bool = False


NEW = ("ordinary", "ordinary", "ordinary", "at_risk")  # no worst form, no 24-hour clock
ANY = ("labour", "labour", "labour", "at_risk")
ORDINARY = ("ordinary",)

STORIES = (  # the first seven cover every state, for a demo smaller than the catalogue
    Kind(_story_identified, 5, NEW, (1, 6)),
    Kind(_story_assessed, 4, NEW, (4, 12)),
    Kind(_story_referred, 5, ANY, (10, 16)),
    Kind(_story_in_service, 14, ANY, (22, 250)),
    Kind(_story_withdrawn, 14, ("labour",), (212, 360)),
    Kind(_story_lost, 4, ANY, (75, 360)),
    Kind(_story_screened_out, 5, ("permitted",), (4, 360)),
    Kind(_story_identified, 4, NEW, (15, 240)),  # never assessed
    Kind(_story_assessed, 3, NEW, (40, 300)),  # never referred
    Kind(_story_accepted, 4, ANY, (14, 30)),
    Kind(_story_declined, 3, NEW, (14, 40)),
    Kind(_story_redirected, 2, NEW, (20, 45)),
    Kind(_story_in_service, 4, ("worst",), (5, 300)),
    Kind(_story_struggling, 5, ANY, (55, 250)),
    Kind(_story_visit_missed, 4, ANY, (55, 200)),
    Kind(_story_prevented, 6, ("at_risk",), (62, 360)),
    Kind(_story_aged_out, 1, ORDINARY, (150, 300), aged_out=True),
    Kind(_story_moved, 3, NEW, (42, 360)),
    Kind(_story_duplicate, 1, NEW, (50, 300), twin=True),
    Kind(_story_closed_other, 1, NEW, (20, 300)),
    Kind(_story_found_again, 2, ANY, (120, 360)),
    Kind(_story_relapsed, 2, ORDINARY, (55, 360)),
    Kind(_story_relapsed_and_referred, 3, ORDINARY, (72, 360)),
    Kind(_story_reopened, 1, ORDINARY, (140, 360)),
    Kind(_story_screened_out, 3, ("no_concern",), (4, 360)),
    Kind(_story_sent_twice, 2, NEW, (22, 300)),
    Kind(_story_seen_again, 2, ORDINARY, (52, 300), alias=True),
)
