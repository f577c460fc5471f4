"""The case lifecycle: one case is one child's episode, from identification until a
satisfactory alternative is verified (or the case is closed for another reason)."""

from clms.states.lifecycle import Lifecycle, Step

IDENTIFIED = "identified"
ASSESSED = "assessed"
REFERRED = "referred"
IN_SERVICE = "in_service"
LOST = "lost_to_follow_up"
CLOSED = "closed"
SCREENED_OUT = "screened_out"

# Where a case is still somebody's work; `lost_to_follow_up` resumes to one of these.
ACTIVE = (IDENTIFIED, ASSESSED, REFERRED, IN_SERVICE)
OPEN = (*ACTIVE, LOST)

CASE_LIFECYCLE = Lifecycle(
    name="case",
    initial=IDENTIFIED,
    states=(IDENTIFIED, ASSESSED, REFERRED, IN_SERVICE, LOST, CLOSED, SCREENED_OUT),
    final=(CLOSED, SCREENED_OUT),
    steps=(
        Step("assess", (IDENTIFIED,), ASSESSED, effects=("record_assessment",)),
        Step("screen_out", (IDENTIFIED,), SCREENED_OUT, guards=("screening_out_permitted",)),
        # From `referred` too: a declined or expired referral leaves the case needing a new one.
        Step(
            "refer",
            (ASSESSED, REFERRED),
            REFERRED,
            guards=("no_live_referral", "referral_fits_child_and_provider"),
            effects=("open_referral",),
        ),
        # A referral sent to the wrong place, or to a provider that closed: the case needs a
        # new one, as after a decline. A started service is not cancelled: it relapses or closes.
        Step(
            "cancel_referral",
            (REFERRED,),
            REFERRED,
            guards=("referral_is_live",),
            effects=("cancel_live_referral",),
        ),
        Step(
            "start_service",
            (REFERRED,),
            IN_SERVICE,
            guards=("referral_accepted", "service_start_not_before_referral"),
            effects=("begin_service", "schedule_follow_ups"),
        ),
        Step("relapse", (IN_SERVICE,), ASSESSED, effects=("end_service_after_relapse",)),
        Step("close", OPEN, CLOSED, guards=("closure_rule_met",), effects=("settle_closure",)),
        Step("reopen", (CLOSED,), ASSESSED, guards=("by_supervisor",), effects=("clear_closure",)),
        Step("mark_lost", ACTIVE, LOST, effects=("remember_state_before_lost",)),
        # transitions tries the rows of a trigger in order; the guard picks the state left.
        *(
            Step(
                "resume",
                (LOST,),
                state,
                guards=("returns_where_it_was",),
                effects=("found_again",),
            )
            for state in ACTIVE
        ),
    ),
)
