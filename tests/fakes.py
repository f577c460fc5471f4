"""Hand-written in-memory fakes of the ports, for fast tests of the use cases."""

from __future__ import annotations

import copy
from types import TracebackType

from clms.domain.errors import Conflict, NotFound
from clms.domain.model import Case, Provider
from clms.ports import CaseIndex, CaseQuery, CaseSummary, ChildKey
from clms.services.cases import child_key
from clms.states import case as case_states


class FakeCases:
    def __init__(self) -> None:
        self.stored: dict[str, Case] = {}
        self.index: dict[str, CaseIndex] = {}

    def add(self, case: Case, index: CaseIndex) -> None:
        case.id = len(self.stored) + 1
        case.number = f"{case.country.upper()}-{case.id:06d}"
        self._keep(case, index)

    def get(self, number: str) -> Case:
        if number not in self.stored:
            raise NotFound(f"no case {number!r}", field="case")
        return copy.deepcopy(self.stored[number])  # a copy, as a database would give

    def save(self, case: Case, index: CaseIndex) -> None:
        if self.stored[case.number].version != case.version:
            raise Conflict(f"case {case.number} was changed by somebody else")
        case.version += 1
        self._keep(case, index)

    def case_for_submission(self, submission_id: str) -> str | None:
        for case in self.stored.values():
            if any(i.observation.submission_id == submission_id for i in case.identifications):
                return case.number
        return None

    def open_case_of(self, child: ChildKey) -> Case | None:
        for case in self.stored.values():
            if case.state in case_states.OPEN and child_key(case.child) == child:
                return self.get(case.number)
        return None

    def summaries(self, query: CaseQuery) -> list[CaseSummary]:
        return [
            CaseSummary(c.number, c.child.display_name, c.child.district, c.category.value,
                        c.priority.value, c.state, self.index[c.number].alternative_status.value,
                        self.index[c.number].next_action_due, c.version)
            for c in self.stored.values()
            if query.state in (None, c.state)
        ][: query.limit]  # fmt: skip

    def _keep(self, case: Case, index: CaseIndex) -> None:
        self.stored[case.number] = copy.deepcopy(case)
        self.index[case.number] = index


class FakeProviders:
    def __init__(self) -> None:
        self.stored: dict[str, Provider] = {}

    def get(self, code: str) -> Provider:
        if code not in self.stored:
            raise NotFound(f"no provider {code!r} in the directory", field="provider")
        return self.stored[code]

    def add(self, provider: Provider) -> None:
        self.stored[provider.code] = provider

    def all(self) -> list[Provider]:
        return sorted(self.stored.values(), key=lambda p: p.code)


class FakeUnitOfWork:
    """Commits are counted; changes made without a commit are thrown away on exit."""

    def __init__(self) -> None:
        self.cases = FakeCases()
        self.providers = FakeProviders()
        self.commits = 0

    def __enter__(self) -> FakeUnitOfWork:
        self._before = (copy.deepcopy(self.cases.stored), copy.deepcopy(self.providers.stored))
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self.cases.stored, self.providers.stored = self._before

    def commit(self) -> None:
        self._committed = True
        self.commits += 1

    def rollback(self) -> None:
        self.cases.stored, self.providers.stored = self._before
