"""All tables; importing this package registers every model on `Base.metadata`."""
from storage.models.base import Base, utcnow
from storage.models.core import Area, ConversationState, ProcessedUpdate, Resident, StaffRole

__all__ = ["Area", "Base", "ConversationState", "ProcessedUpdate", "Resident", "StaffRole", "utcnow"]
