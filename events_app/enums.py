"""Enumerations shared by several capabilities; stored as their string values."""
from __future__ import annotations

import enum

import sqlalchemy as sa


def str_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class EventKind(enum.StrEnum):
    NETWORKING = "networking"
    BUSINESS_DISCUSSION = "business_discussion"
    WEBINAR = "webinar"
    HYBRID = "hybrid"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Visibility(enum.StrEnum):
    LISTED = "listed"
    UNLISTED = "unlisted"


class Affiliation(enum.StrEnum):
    ALUMNI = "alumni"
    EMPLOYEE = "employee"
    GUEST = "guest"


class Role(enum.StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    CHECKIN = "checkin"


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


ACTIVE_REGISTRATION_STATUSES = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


class SessionKind(enum.StrEnum):
    TIMETABLE = "timetable"
    BREAKOUT = "breakout"


class CheckInKind(enum.StrEnum):
    CHECK_IN = "check_in"
    UNDO = "undo"


class CheckInSource(enum.StrEnum):
    SCAN = "scan"
    SEARCH = "search"
    OFFLINE_SYNC = "offline_sync"
    ONLINE_JOIN = "online_join"
    WALK_IN = "walk_in"
    API = "api"


class MessageStatus(enum.StrEnum):
    """Where an operator's message to registrants is: waiting for its time, sent, or called off."""

    SCHEDULED = "scheduled"
    SENDING = "sending"  # claimed by one sender; seen only inside that sender's transaction
    SENT = "sent"
    CANCELLED = "cancelled"


class MessageCancelReason(enum.StrEnum):
    OPERATOR = "operator"                # an operator cancelled it before its time
    EVENT_CANCELLED = "event_cancelled"  # the event was cancelled before the send time
    NO_RECIPIENTS = "no_recipients"      # at its time, no one matched the recipients


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
