"""The referral lifecycle: a case's request to one provider for one service."""

from clms.states.lifecycle import Lifecycle, Step

PROPOSED = "proposed"
SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
STARTED = "started"
COMPLETED = "completed"
DROPPED_OUT = "dropped_out"
EXPIRED = "expired"
CANCELLED = "cancelled"
# The case closed while the child still attends the service (a young person aged out of
# the case goes on with the course): not a drop-out, not completed. At most 16 characters:
# the width of referrals.state.
ONGOING_AT_CLOSE = "ongoing_at_close"

# A live referral still holds the child's place; only one may be live per case.
LIVE = (PROPOSED, SENT, ACCEPTED, STARTED)

REFERRAL_LIFECYCLE = Lifecycle(
    name="referral",
    initial=PROPOSED,
    states=(
        PROPOSED,
        SENT,
        ACCEPTED,
        DECLINED,
        STARTED,
        COMPLETED,
        DROPPED_OUT,
        EXPIRED,
        CANCELLED,
        ONGOING_AT_CLOSE,
    ),
    final=(DECLINED, COMPLETED, DROPPED_OUT, EXPIRED, CANCELLED, ONGOING_AT_CLOSE),
    steps=(
        Step("send", (PROPOSED,), SENT),
        Step("accept", (SENT,), ACCEPTED),
        Step("decline", (SENT,), DECLINED),
        Step("start", (ACCEPTED,), STARTED),
        Step("complete", (STARTED,), COMPLETED),
        Step("drop_out", (STARTED,), DROPPED_OUT),
        Step("continue_after_close", (STARTED,), ONGOING_AT_CLOSE),
        Step("expire", (PROPOSED, SENT), EXPIRED),
        Step("cancel", (PROPOSED, SENT, ACCEPTED), CANCELLED),
    ),
)
