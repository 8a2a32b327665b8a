import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


MOOD = sa.Enum("calm", "busy", "away", name="mood")
COLOR = sa.Enum("red", "green", name="color")


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    at: Mapped[int] = mapped_column(sa.Integer)
    count: Mapped[int] = mapped_column(sa.Integer)
    label: Mapped[str] = mapped_column(sa.String(50))
    mood: Mapped[str] = mapped_column(MOOD)
    color: Mapped[str] = mapped_column(COLOR)


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    mood: Mapped[str] = mapped_column(MOOD)
