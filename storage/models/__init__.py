"""All tables; importing this package registers every model on `Base.metadata`."""
from storage.models.ballots import Ballot, BallotOption, Vote
from storage.models.base import Base, utcnow
from storage.models.core import Area, ConversationState, ProcessedUpdate, Resident, StaffRole
from storage.models.delivery import Broadcast, Delivery, SenderLease
from storage.models.surveys import Survey, SurveyAnswer, SurveyParticipant, SurveyQuestion, SurveyResponse
from storage.models.forums import Forum, ForumQuestion, ForumReminder, ForumSummary, Rsvp
from storage.models.proposals import (
    Follower, ModerationAction, Proposal, Report, Support, TimelineEntry,
)

__all__ = [
    "Area", "Ballot", "BallotOption", "Base", "Broadcast", "ConversationState", "Delivery", "Follower", "Forum", "ForumQuestion", "ForumReminder",
    "ForumSummary", "Rsvp", "ModerationAction",
    "ProcessedUpdate", "Proposal", "Report", "Resident", "SenderLease", "StaffRole", "Support", "Survey", "SurveyAnswer", "SurveyParticipant",
    "SurveyQuestion", "SurveyResponse",
    "TimelineEntry", "Vote", "utcnow",
]
