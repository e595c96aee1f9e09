"""Unit of work: one session, its repositories, and an explicit commit."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repositories.areas import AreaRepository
from storage.repositories.ballots import BallotRepository
from storage.repositories.conversations import ConversationRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.forum_reminders import ForumReminderRepository
from storage.repositories.forum_talk import ForumQuestionRepository, ForumSummaryRepository
from storage.repositories.forums import ForumRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.personal_data import PersonalDataRepository
from storage.repositories.proposals import ProposalRepository
from storage.repositories.residents import ResidentRepository
from storage.repositories.staff import StaffRepository
from storage.repositories.survey_invitations import SurveyInvitationRepository
from storage.repositories.survey_results import SurveyResultRepository
from storage.repositories.surveys import SurveyRepository
from storage.repositories.themes import ThemeRepository
from storage.repositories.updates import ProcessedUpdateRepository


class UnitOfWork:
    """Use as `async with uow:`; changes not committed by the end are rolled back."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._staged: dict[str, Callable[[], Awaitable[None]]] = {}

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.residents = ResidentRepository(self.session)
        self.areas = AreaRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.updates = ProcessedUpdateRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.proposals = ProposalRepository(self.session)
        self.themes = ThemeRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.ballots = BallotRepository(self.session)
        self.forums = ForumRepository(self.session)
        self.forum_reminders = ForumReminderRepository(self.session)
        self.forum_questions = ForumQuestionRepository(self.session)
        self.forum_summaries = ForumSummaryRepository(self.session)
        self.digests = DigestRepository(self.session)
        self.surveys = SurveyRepository(self.session)
        self.survey_results = SurveyResultRepository(self.session)
        self.survey_invitations = SurveyInvitationRepository(self.session)
        self.personal_data = PersonalDataRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and (unlike rollback()) leaves the
        # loaded objects readable for the caller.
        await self.session.close()

    async def commit(self) -> None:
        """Write what was staged, then commit it with everything else in one transaction."""
        for write in list(self._staged.values()):
            await write()
        self._staged.clear()
        await self.session.commit()

    async def commit_unless_duplicate(self) -> bool:
        """Commit; when the database's constraints refuse the changes – as when someone made the
        same change at the same moment – roll back instead and say so with False."""
        try:
            await self.commit()
        except IntegrityError:
            await self.rollback()
            return False
        return True

    def stage(self, name: str, write: Callable[[], Awaitable[None]]) -> None:
        """Have `write` run as part of the next commit (again under one name: the latest wins).

        An update's claim and its conversation step are written this way: together with the
        handler's own changes, in one transaction, never while a reply is being sent.
        """
        self._staged[name] = write

    @property
    def has_staged(self) -> bool:
        return bool(self._staged)

    async def rollback(self) -> None:
        await self.session.rollback()


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(session_factory: async_sessionmaker[AsyncSession]) -> UnitOfWorkFactory:
    return lambda: UnitOfWork(session_factory)
