import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


MOOD = sa.Enum("calm", "busy", name="mood")
COLOR = sa.Enum("red", "green", "blue", name="color")


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    at: Mapped[int] = mapped_column(sa.Integer)
    count: Mapped[int] = mapped_column(sa.BigInteger)
    label: Mapped[str] = mapped_column(sa.String(100))
    mood: Mapped[str] = mapped_column(MOOD)
    color: Mapped[str] = mapped_column(COLOR)

    __table_args__ = (sa.Index("ix_event_at", "at", postgresql_concurrently=True),)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    mood: Mapped[str] = mapped_column(MOOD)


class Tag(Base):
    __tablename__ = "tag"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(40), index=True)
