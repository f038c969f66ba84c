"""Import every capability's models so Alembic and create_all see the whole schema."""
from .audit.models import AuditEntry  # noqa: F401
from .auth.models import ApiToken, EventStaff, StaffUser  # noqa: F401
from .events.models import Event, EventSession, Host, Question  # noqa: F401
from .mail.models import OutboxMessage  # noqa: F401
from .people.models import Person  # noqa: F401
from .registration.models import Answer, Registration, RegistrantMessage, RegistrationSession  # noqa: F401
from .reports.models import EventNote, ExportJob, SurveyResponse  # noqa: F401
from .tickets.models import CheckIn, Ticket  # noqa: F401
